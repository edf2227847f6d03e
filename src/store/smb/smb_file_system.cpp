#include "dirmail/store/smb_file_system.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/unc_path.hpp"
#include "smb/smb_context_pool.hpp"

namespace dirmail::store {

using smb::SmbContextPool;

namespace {

constexpr std::size_t kChunk = 1 << 20;  // libsmbclient splits it into the server's sizes

// The FileSystem contract's codes for an errno of libsmbclient. Messages name the UNC
// path (what an administrator knows), never a credential.
Error smb_error(std::string_view what, const std::string& url, int err) {
  const std::string where = unc_of(url);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return make_error(ErrorCode::not_found, fmt::format("{} {}: no such file or directory", what, where));
    case EEXIST:
    case ENOTEMPTY:
      return make_error(ErrorCode::already_exists, fmt::format("{} {}: exists", what, where));
    case EACCES:
    case EPERM:
      return make_error(ErrorCode::permission_denied, fmt::format("{} {}: access denied by the share", what, where));
    case ENOSPC:
    case EDQUOT:
      return make_error(ErrorCode::temporary_failure, fmt::format("{} {}: share full ({})", what, where, std::strerror(err)));
    case EISDIR:
      return make_error(ErrorCode::invalid_argument, fmt::format("{}: not a regular file", where));
    default:
      break;
  }
  if (smb::is_connection_error(err) && err != EIO)
    return make_error(ErrorCode::temporary_failure,
                      fmt::format("{} {}: share {} unreachable ({})", what, where, share_unc_of(url), std::strerror(err)));
  return make_error(ErrorCode::io_error, fmt::format("{} {}: {}", what, where, std::strerror(err)));
}

Error connection_lost(const std::string& url) {
  return make_error(ErrorCode::temporary_failure,
                    fmt::format("{}: connection to the share was lost", unc_of(url)));
}

FileInfo info_of(const struct stat& st) {
  FileInfo info;
  info.directory = S_ISDIR(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.modified = st.st_mtim;
  info.identity = static_cast<std::uint64_t>(st.st_ino);
  return info;
}

// Runs `call` (0, or -1 with errno set, as libsmbclient answers). On a connection
// error the context reconnects and, when `again()` says so, the call runs once more.
// Returns 0 or the errno.
template <typename Call, typename Again>
int run(SmbContextPool::Lease& lease, Call&& call, Again&& again) {
  errno = 0;
  if (call(lease.context()) == 0) return 0;
  int err = errno != 0 ? errno : EIO;
  if (!smb::is_connection_error(err)) return err;
  lease.reconnect();
  // A server that does not answer in time is hung, not restarted: asking again (and
  // `again()` asks too) would only hold every store call behind this one for longer.
  if (err == ETIMEDOUT || !again()) return err;
  errno = 0;
  if (call(lease.context()) == 0) return 0;
  return errno != 0 ? errno : EIO;
}

template <typename Call>
int run_idempotent(SmbContextPool::Lease& lease, Call&& call) {
  return run(lease, std::forward<Call>(call), [] { return true; });
}

// The URL as libsmbclient takes it: it decodes %XX sequences in paths, and the store's
// folder names keep "%2F" and the like as they are, so every '%' goes as "%25".
std::string wire(const std::string& url) {
  std::string out;
  out.reserve(url.size());
  for (char c : url) {
    if (c == '%') out += "%25";
    else out += c;
  }
  return out;
}

// 0 with `st` filled, or the errno.
int stat_url(SmbContextPool::Lease& lease, const std::string& url, struct stat& st) {
  return run_idempotent(lease, [&](SMBCCTX* c) { return smbc_getFunctionStat(c)(c, wire(url).c_str(), &st); });
}

// "smb://server[:port]/share" of "smb://server[:port]/share/dir/file".
std::string share_root_of(const std::string& url) {
  constexpr std::string_view kScheme = "smb://";
  const auto server_end = url.find('/', kScheme.size());
  if (server_end == std::string::npos) return url;
  return url.substr(0, url.find('/', server_end + 1));
}

// Whether something is at `url`; nullopt when the share cannot tell (still unreachable).
std::optional<bool> exists(SmbContextPool::Lease& lease, const std::string& url) {
  struct stat st;
  errno = 0;
  if (smbc_getFunctionStat(lease.context())(lease.context(), wire(url).c_str(), &st) == 0) return true;
  if (errno != ENOENT && errno != ENOTDIR) return std::nullopt;
  // libsmbclient says the same of a share that is not there (see SharePresence).
  if (smbc_getFunctionStat(lease.context())(lease.context(), wire(share_root_of(url)).c_str(), &st) != 0) return std::nullopt;
  return false;
}

bool is_missing(int err) { return err == ENOENT || err == ENOTDIR; }

// libsmbclient answers ENOENT both for a missing path and for a share the server does
// not offer (NT_STATUS_BAD_NETWORK_NAME: removed from smb.conf, its folder missing). A
// mailbox on an offline share must not look empty, nor be made again, so an ENOENT is
// believed only while the share root answers. A share seen present is trusted for a
// moment: missing files are common (stat before create), a round trip each is not.
class SharePresence {
 public:
  explicit SharePresence(std::chrono::milliseconds trust_for) : trust_for_(trust_for) {}

  // ok when `url`'s share is there (so ENOENT means the path is missing);
  // temporary_failure when it is not.
  Status check(SmbContextPool::Lease& lease, const std::string& url) {
    const std::string root = share_root_of(url);
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex_);
      auto seen = seen_.find(root);
      if (seen != seen_.end() && now - seen->second < trust_for_) return ok_status();
    }
    struct stat st;
    const int err = run_idempotent(lease, [&](SMBCCTX* c) { return smbc_getFunctionStat(c)(c, wire(root).c_str(), &st); });
    if (err == 0) {
      std::lock_guard lock(mutex_);
      seen_[root] = now;
      return ok_status();
    }
    {
      std::lock_guard lock(mutex_);
      seen_.erase(root);
    }
    // libsmbclient keeps the tree connection of a share it reached: forget it, so that
    // the share is connected again when it is back.
    lease.reconnect();
    return make_error(ErrorCode::temporary_failure,
                      fmt::format("share {} is not available ({})", share_unc_of(url), std::strerror(err)));
  }

 private:
  const std::chrono::milliseconds trust_for_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> seen_;
};

// Local lock file names: FNV-1a of the URL, wide enough that two stores never meet.
// Names that differ only in ASCII case are one file on a case-insensitive share (Windows,
// Samba's default): they share one lock.
std::string lock_file_name(const std::string& url) {
  std::uint64_t a = 14695981039346656037ull;
  std::uint64_t b = 1099511628211ull * 31;
  for (unsigned char c : url) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    a = (a ^ c) * 1099511628211ull;
    b = (b ^ c) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
  }
  return fmt::format("{:016x}{:016x}.lock", a, b);
}

}  // namespace

namespace {

class SmbFile final : public File {
 public:
  // Keeps the pool alive: a file may outlive its SmbFileSystem.
  SmbFile(std::shared_ptr<SmbContextPool> pool, SMBCFILE* file, std::size_t context, std::uint64_t generation,
          std::string url)
      : pool_(std::move(pool)), file_(file), context_(context), generation_(generation), url_(std::move(url)) {
    pool_->file_opened(context_);
  }

  ~SmbFile() override {
    {
      auto lease = pool_->acquire(context_);
      // A stale handle is closed too: libsmbclient frees it (the close itself fails).
      smbc_getFunctionClose(lease.context())(lease.context(), file_);
    }
    pool_->file_closed(context_);
  }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buf) override {
    auto lease = pool_->acquire(context_);
    if (lease.generation() != generation_) return connection_lost(url_);
    SMBCCTX* c = lease.context();
    if (smbc_getFunctionLseek(c)(c, file_, static_cast<off_t>(offset), SEEK_SET) < 0) return failed(lease, "seek");
    std::size_t got = 0;
    while (got < buf.size()) {
      const std::size_t want = std::min(buf.size() - got, kChunk);
      const ssize_t n = smbc_getFunctionRead(c)(c, file_, buf.data() + got, want);
      if (n < 0) return failed(lease, "read");
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }

  Status write_at(std::uint64_t offset, std::string_view data) override {
    auto lease = pool_->acquire(context_);
    if (lease.generation() != generation_) return connection_lost(url_);
    SMBCCTX* c = lease.context();
    if (smbc_getFunctionLseek(c)(c, file_, static_cast<off_t>(offset), SEEK_SET) < 0) return failed(lease, "seek");
    return write_all(lease, data);
  }

  Status write_from(std::uint64_t offset, int fd, std::uint64_t fd_offset, std::uint64_t length) override {
    auto lease = pool_->acquire(context_);
    if (lease.generation() != generation_) return connection_lost(url_);
    SMBCCTX* c = lease.context();
    if (smbc_getFunctionLseek(c)(c, file_, static_cast<off_t>(offset), SEEK_SET) < 0) return failed(lease, "seek");
    std::string buffer;
    std::uint64_t done = 0;
    while (done < length) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length - done, kChunk));
      auto chunk = posix::pread_up_to(fd, fd_offset + done, want, "the source of " + unc_of(url_));
      if (!chunk) return std::move(chunk).error();
      if (chunk->empty())
        return make_error(ErrorCode::io_error, fmt::format("{}: the source ended {} bytes early", unc_of(url_), length - done));
      DIRMAIL_TRY(write_all(lease, *chunk));
      done += chunk->size();
    }
    return ok_status();
  }

  Status truncate(std::uint64_t size) override {
    auto lease = pool_->acquire(context_);
    if (lease.generation() != generation_) return connection_lost(url_);
    SMBCCTX* c = lease.context();
    if (smbc_getFunctionFtruncate(c)(c, file_, static_cast<off_t>(size)) != 0) return failed(lease, "truncate");
    return ok_status();
  }

  // Nothing to ask: libsmbclient has no flush, the share commits writes (see the header).
  Status sync() override { return ok_status(); }

  Result<FileInfo> info() override {
    auto lease = pool_->acquire(context_);
    if (lease.generation() != generation_) return connection_lost(url_);
    SMBCCTX* c = lease.context();
    struct stat st;
    if (smbc_getFunctionFstat(c)(c, file_, &st) != 0) return failed(lease, "stat");
    return info_of(st);
  }

 private:
  Status write_all(SmbContextPool::Lease& lease, std::string_view data) {
    SMBCCTX* c = lease.context();
    while (!data.empty()) {
      const std::size_t want = std::min(data.size(), kChunk);
      const ssize_t n = smbc_getFunctionWrite(c)(c, file_, data.data(), want);
      if (n < 0) return failed(lease, "write");
      if (n == 0) return make_error(ErrorCode::io_error, fmt::format("write {}: the share wrote nothing", unc_of(url_)));
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
  }

  // The handle does not survive a reconnection: the caller starts over.
  Error failed(SmbContextPool::Lease& lease, std::string_view what) {
    const int err = errno != 0 ? errno : EIO;
    if (smb::is_connection_error(err)) {
      lease.reconnect();
      return connection_lost(url_);
    }
    return smb_error(what, url_, err);
  }

  std::shared_ptr<SmbContextPool> pool_;
  SMBCFILE* file_;
  std::size_t context_;
  std::uint64_t generation_;
  std::string url_;
};

class LocalLock final : public FileLock {
 public:
  explicit LocalLock(posix::UniqueFd fd) : fd_(std::move(fd)) {}  // closing it unlocks

 private:
  posix::UniqueFd fd_;
};

}  // namespace

struct SmbFileSystem::State {
  std::shared_ptr<SmbContextPool> pool;
  std::string lock_directory;
  SharePresence shares;

  explicit State(std::chrono::milliseconds share_seen_for) : shares(share_seen_for) {}

  // The error for `err` of `what` on `url`: not_found only when the share is there.
  Error failure(SmbContextPool::Lease& lease, std::string_view what, const std::string& url, int err) {
    if (is_missing(err)) {
      if (auto present = shares.check(lease, url); !present) return std::move(present).error();
    }
    return smb_error(what, url, err);
  }
};

SmbFileSystem::SmbFileSystem(std::shared_ptr<State> state) : state_(std::move(state)) {}
SmbFileSystem::~SmbFileSystem() = default;

Result<std::unique_ptr<SmbFileSystem>> SmbFileSystem::open(const SmbFileSystemOptions& options) {
  smb::SmbLogon logon;
  const bool kerberos = !options.kerberos_cache.empty();
  if (kerberos == !options.credentials_file.empty())
    return make_error(ErrorCode::invalid_argument,
                      "SMB store: give either a Kerberos credential cache or a credentials file (exactly one)");
  if (kerberos) {
    const auto at = options.kerberos_principal.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == options.kerberos_principal.size())
      return make_error(ErrorCode::invalid_argument,
                        "SMB store: the Kerberos principal \"" + options.kerberos_principal + "\" is not user@REALM");
    logon.kerberos = true;
    logon.kerberos_cache =
        options.kerberos_cache.starts_with("FILE:") ? options.kerberos_cache : "FILE:" + options.kerberos_cache;
    logon.account.username = options.kerberos_principal.substr(0, at);
    logon.account.domain = options.kerberos_principal.substr(at + 1);
    logon.refresh_ticket = options.refresh_kerberos_ticket;
  } else {
    auto account = read_smb_credentials_file(options.credentials_file);
    if (!account) return std::move(account).error();
    logon.account = std::move(*account);
  }
  if (options.lock_directory.empty())
    return make_error(ErrorCode::invalid_argument, "SMB store: no local lock directory");
  DIRMAIL_TRY(posix::ensure_directory(options.lock_directory));

  auto state = std::make_shared<State>(options.share_seen_for);
  auto pool = SmbContextPool::create(std::move(logon), options.contexts, options.timeout);
  if (!pool) return std::move(pool).error();
  state->pool = std::move(*pool);
  state->lock_directory = options.lock_directory;
  return std::unique_ptr<SmbFileSystem>(new SmbFileSystem(std::move(state)));
}

Result<std::unique_ptr<File>> SmbFileSystem::open(const std::string& path, OpenMode mode) {
  int flags = 0;
  switch (mode) {
    case OpenMode::read: flags = O_RDONLY; break;
    case OpenMode::read_write: flags = O_RDWR; break;
    case OpenMode::read_write_create: flags = O_RDWR | O_CREAT; break;
    case OpenMode::create_new: flags = O_WRONLY | O_CREAT | O_EXCL; break;
  }
  auto lease = state_->pool->acquire_any();
  SMBCFILE* file = nullptr;
  // Opening again after a lost connection is safe: at worst an O_EXCL create that did
  // happen answers already_exists, which is what the name now is.
  const int err = run_idempotent(lease, [&](SMBCCTX* c) {
    file = smbc_getFunctionOpen(c)(c, wire(path).c_str(), flags, 0600);
    return file == nullptr ? -1 : 0;
  });
  if (err != 0) return state_->failure(lease, "open", path, err);
  SMBCCTX* c = lease.context();
  if (mode != OpenMode::create_new) {
    struct stat st;
    errno = 0;
    const bool stated = smbc_getFunctionFstat(c)(c, file, &st) == 0;
    const int stat_err = stated ? 0 : (errno != 0 ? errno : EIO);
    if (!stated || !S_ISREG(st.st_mode)) {
      smbc_getFunctionClose(c)(c, file);
      // A connection lost right after the open is an outage, not a wrong kind of file.
      if (!stated) return smb_error("stat", path, stat_err);
      return make_error(ErrorCode::invalid_argument, unc_of(path) + ": not a regular file");
    }
  }
  return std::unique_ptr<File>(
      std::make_unique<SmbFile>(state_->pool, file, lease.index(), lease.generation(), path));
}

Result<std::optional<FileInfo>> SmbFileSystem::stat(const std::string& path) {
  auto lease = state_->pool->acquire_any();
  struct stat st;
  const int err = stat_url(lease, path, st);
  if (is_missing(err)) {
    if (auto present = state_->shares.check(lease, path); !present) return std::move(present).error();
    return std::optional<FileInfo>();
  }
  if (err != 0) return smb_error("stat", path, err);
  return std::optional<FileInfo>(info_of(st));
}

Result<std::vector<DirectoryEntry>> SmbFileSystem::list(const std::string& path) {
  auto lease = state_->pool->acquire_any();
  std::vector<DirectoryEntry> entries;
  const int err = run_idempotent(lease, [&](SMBCCTX* c) {
    entries.clear();
    SMBCFILE* dir = smbc_getFunctionOpendir(c)(c, wire(path).c_str());
    if (dir == nullptr) return -1;
    for (;;) {
      errno = 0;
      const struct smbc_dirent* entry = smbc_getFunctionReaddir(c)(c, dir);
      if (entry == nullptr) break;
      std::string_view name(entry->name);
      if (name == "." || name == "..") continue;
      entries.push_back(DirectoryEntry{std::string(name), entry->smbc_type == SMBC_DIR});
    }
    const int read_err = errno;
    smbc_getFunctionClosedir(c)(c, dir);
    errno = read_err;
    return read_err == 0 ? 0 : -1;
  });
  if (err != 0) return state_->failure(lease, "list", path, err);
  return entries;
}

Status SmbFileSystem::rename(const std::string& from, const std::string& to, Rename mode) {
  auto lease = state_->pool->acquire_any();
  if (mode == Rename::no_replace) {
    struct stat st;
    const int err = stat_url(lease, to, st);
    // On a case-insensitive share "AB" finds "Ab": the same file is no collision, and
    // the rename changes only its case.
    struct stat source;
    const bool same_file = err == 0 && stat_url(lease, from, source) == 0 && source.st_ino == st.st_ino &&
                           source.st_dev == st.st_dev;
    if (err == 0 && !same_file) return make_error(ErrorCode::already_exists, unc_of(to) + " exists");
    if (err != 0 && !is_missing(err)) return smb_error("rename", to, err);
  }
  bool done_before = false;
  const int err = run(
      lease, [&](SMBCCTX* c) { return smbc_getFunctionRename(c)(c, wire(from).c_str(), c, wire(to).c_str()); },
      [&] {
        // The rename may have happened before the connection dropped.
        done_before = exists(lease, from) == false && exists(lease, to) == true;
        return !done_before;
      });
  if (err != 0 && !done_before) return state_->failure(lease, "rename", from, err);
  return ok_status();
}

Result<bool> SmbFileSystem::link(const std::string&, const std::string&) { return false; }

Status SmbFileSystem::remove(const std::string& path) {
  auto lease = state_->pool->acquire_any();
  bool gone_before = false;
  const int err = run(
      lease, [&](SMBCCTX* c) { return smbc_getFunctionUnlink(c)(c, wire(path).c_str()); },
      [&] {
        gone_before = exists(lease, path) == false;
        return !gone_before;
      });
  if (err != 0 && !gone_before) return state_->failure(lease, "remove", path, err);
  return ok_status();
}

Status SmbFileSystem::make_directory(const std::string& path) {
  auto lease = state_->pool->acquire_any();
  bool made_before = false;
  const int err = run(
      lease, [&](SMBCCTX* c) { return smbc_getFunctionMkdir(c)(c, wire(path).c_str(), 0700); },
      [&] {
        struct stat st;
        made_before = smbc_getFunctionStat(lease.context())(lease.context(), wire(path).c_str(), &st) == 0 &&
                      S_ISDIR(st.st_mode);
        return !made_before;
      });
  if (err != 0 && !made_before) return state_->failure(lease, "mkdir", path, err);
  return ok_status();
}

Status SmbFileSystem::remove_directory(const std::string& path) {
  auto lease = state_->pool->acquire_any();
  bool gone_before = false;
  const int err = run(
      lease, [&](SMBCCTX* c) { return smbc_getFunctionRmdir(c)(c, wire(path).c_str()); },
      [&] {
        gone_before = exists(lease, path) == false;
        return !gone_before;
      });
  if (err != 0 && !gone_before) return state_->failure(lease, "rmdir", path, err);
  return ok_status();
}

// The server commits names itself (see the header).
Status SmbFileSystem::sync_directory(const std::string&) { return ok_status(); }

Status SmbFileSystem::set_modified(const std::string& path, std::int64_t unix_seconds) {
  auto lease = state_->pool->acquire_any();
  struct timeval times[2] = {{unix_seconds, 0}, {unix_seconds, 0}};
  const int err = run_idempotent(lease, [&](SMBCCTX* c) { return smbc_getFunctionUtimes(c)(c, wire(path).c_str(), times); });
  if (err != 0) return state_->failure(lease, "utimes", path, err);
  return ok_status();
}

Result<std::unique_ptr<FileLock>> SmbFileSystem::lock(const std::string& path) {
  {
    // The file exists, as on posix (created empty when missing).
    auto created = open(path, OpenMode::read_write_create);
    if (!created) return std::move(created).error();
  }
  const std::string local = posix::join_path(state_->lock_directory, lock_file_name(path));
  auto fd = posix::open_file(local, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW);
  if (!fd) return std::move(fd).error();
  while (::flock(fd->get(), LOCK_EX) != 0) {
    if (errno != EINTR) return errno_error("lock", local, errno);
  }
  // The file may have been removed while we waited (its folder deleted).
  auto here = stat(path);
  if (!here) return std::move(here).error();
  if (!*here) return make_error(ErrorCode::not_found, "lock " + unc_of(path) + ": removed while waiting for the lock");
  return std::unique_ptr<FileLock>(std::make_unique<LocalLock>(std::move(*fd)));
}

}  // namespace dirmail::store
