#include "dirmail/store/posix_file_system.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {
namespace {

// errno_error, with the codes FileSystem promises for the cases callers tell apart.
Error file_error(std::string_view what, const std::string& path, int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return make_error(ErrorCode::not_found, std::string(what) + " " + path + ": no such file or directory");
    case EEXIST:
    case ENOTEMPTY:
      return make_error(ErrorCode::already_exists, std::string(what) + " " + path + ": exists");
    case EACCES:
    case EPERM:
      return make_error(ErrorCode::permission_denied, std::string(what) + " " + path + ": permission denied");
    default:
      return errno_error(what, path, err);
  }
}

std::uint64_t identity_of(const struct stat& st) {
  return (static_cast<std::uint64_t>(st.st_dev) << 40) ^ static_cast<std::uint64_t>(st.st_ino);
}

FileInfo info_of(const struct stat& st) {
  FileInfo info;
  info.directory = S_ISDIR(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.modified = st.st_mtim;
  info.identity = identity_of(st);
  return info;
}

class PosixFile final : public File {
 public:
  PosixFile(posix::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buf) override {
    std::size_t got = 0;
    while (got < buf.size()) {
      ssize_t n = ::pread(fd_.get(), buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return file_error("read", path_, errno);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    return got;
  }
  Status write_at(std::uint64_t offset, std::string_view data) override {
    return posix::pwrite_all(fd_.get(), data, offset, path_);
  }
  Status write_from(std::uint64_t offset, int fd, std::uint64_t fd_offset, std::uint64_t length) override {
    if (::lseek(fd_.get(), static_cast<off_t>(offset), SEEK_SET) < 0) return file_error("seek", path_, errno);
    return posix::copy_range(fd, fd_offset, length, fd_.get(), path_);
  }
  Status truncate(std::uint64_t size) override {
    while (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return file_error("truncate", path_, errno);
    }
    return ok_status();
  }
  Status sync() override { return posix::sync_file(fd_.get(), path_); }
  Result<FileInfo> info() override {
    struct stat st;
    if (::fstat(fd_.get(), &st) != 0) return file_error("stat", path_, errno);
    return info_of(st);
  }

 private:
  posix::UniqueFd fd_;
  std::string path_;
};

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(posix::UniqueFd fd) : fd_(std::move(fd)) {}  // closing it unlocks

 private:
  posix::UniqueFd fd_;
};

Result<posix::UniqueFd> open_fd(const std::string& path, int flags, mode_t mode = 0600) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ELOOP) return make_error(ErrorCode::invalid_argument, path + ": not a regular file");
    return file_error("open", path, errno);
  }
  return posix::UniqueFd(fd);
}

}  // namespace

std::unique_ptr<File> posix_file(posix::UniqueFd fd, std::string name) {
  return std::make_unique<PosixFile>(std::move(fd), std::move(name));
}

Result<std::unique_ptr<File>> PosixFileSystem::open(const std::string& path, OpenMode mode) {
  int flags = 0;
  switch (mode) {
    case OpenMode::read: flags = O_RDONLY | O_NONBLOCK; break;
    case OpenMode::read_write: flags = O_RDWR | O_NONBLOCK; break;
    case OpenMode::read_write_create: flags = O_RDWR | O_CREAT | O_NONBLOCK; break;
    case OpenMode::create_new: flags = O_WRONLY | O_CREAT | O_EXCL; break;
  }
  auto fd = open_fd(path, flags);
  if (!fd) return std::move(fd).error();
  if (mode != OpenMode::create_new) {
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return file_error("stat", path, errno);
    if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::invalid_argument, path + ": not a regular file");
    // O_NONBLOCK only kept open() from waiting on a FIFO; regular files ignore it.
  }
  return std::unique_ptr<File>(std::make_unique<PosixFile>(std::move(*fd), path));
}

Result<std::optional<FileInfo>> PosixFileSystem::stat(const std::string& path) {
  // Follows a symbolic link: a mailbox root or data folder may be one. The store's
  // own files are opened with O_NOFOLLOW.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileInfo>();
    return file_error("stat", path, errno);
  }
  return std::optional<FileInfo>(info_of(st));
}

Result<std::vector<DirectoryEntry>> PosixFileSystem::list(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return file_error("open directory", path, errno);
  std::vector<DirectoryEntry> entries;
  for (;;) {
    errno = 0;
    struct dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    bool directory = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN || entry->d_type == DT_LNK) {  // a link to a folder is a folder
      struct stat st;
      directory = ::fstatat(::dirfd(dir), entry->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    }
    entries.push_back(DirectoryEntry{std::string(name), directory});
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return file_error("read directory", path, err);
  return entries;
}

Status PosixFileSystem::rename(const std::string& from, const std::string& to, Rename mode) {
  if (mode == Rename::replace) {
    if (::rename(from.c_str(), to.c_str()) != 0) return file_error("rename", from, errno);
    return ok_status();
  }
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return ok_status();
  if (errno != EINVAL && errno != ENOSYS) {
    if (errno == EEXIST || errno == ENOTEMPTY) return make_error(ErrorCode::already_exists, to + " exists");
    return file_error("rename", from, errno);
  }
  // The file system cannot promise it (some network mounts): look first. Callers that
  // need it hold a lock over the names involved.
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0) return make_error(ErrorCode::already_exists, to + " exists");
  if (::rename(from.c_str(), to.c_str()) != 0) return file_error("rename", from, errno);
  return ok_status();
}

Result<bool> PosixFileSystem::link(const std::string& existing, const std::string& new_name) {
  if (::link(existing.c_str(), new_name.c_str()) == 0) return true;
  if (errno == EPERM || errno == EXDEV || errno == EMLINK || errno == EOPNOTSUPP || errno == ENOSYS) return false;
  return file_error("link", new_name, errno);
}

Status PosixFileSystem::remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return file_error("remove", path, errno);
  return ok_status();
}

Status PosixFileSystem::make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0) return file_error("mkdir", path, errno);
  return ok_status();
}

Status PosixFileSystem::remove_directory(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return file_error("rmdir", path, errno);
  return ok_status();
}

Status PosixFileSystem::sync_directory(const std::string& path) {
  // A folder may be reached through a link (a mailbox root that is one).
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return file_error("open", path, errno);  // not_found: the folder went meanwhile
  posix::UniqueFd fd(raw);
  return posix::sync_file(fd.get(), path);
}

Status PosixFileSystem::set_modified(const std::string& path, std::int64_t unix_seconds) {
  const struct timespec times[2] = {{unix_seconds, 0}, {unix_seconds, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) return file_error("utimes", path, errno);
  return ok_status();
}

Result<std::unique_ptr<FileLock>> PosixFileSystem::lock(const std::string& path) {
  for (;;) {
    auto fd = open_fd(path, O_RDWR | O_CREAT);
    if (!fd) return std::move(fd).error();
    while (::flock(fd->get(), LOCK_EX) != 0) {
      if (errno != EINTR) return file_error("lock", path, errno);
    }
    // The file may have been removed or replaced (its folder deleted or renamed) while
    // we waited: then the lock we hold is that of a file no longer at `path`.
    struct stat held;
    struct stat here;
    if (::fstat(fd->get(), &held) != 0) return file_error("stat", path, errno);
    if (::stat(path.c_str(), &here) != 0) return file_error("stat", path, errno);
    if (held.st_dev == here.st_dev && held.st_ino == here.st_ino)
      return std::unique_ptr<FileLock>(std::make_unique<PosixLock>(std::move(*fd)));
  }
}

}  // namespace dirmail::store
