#include "dirmail/migration/migration_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/fnv_hash.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::migration {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;

std::string key(std::string_view folder, std::string_view uidl) {
  std::string k;
  k.reserve(folder.size() + 1 + uidl.size());
  k.append(folder).push_back('\t');
  k.append(uidl);
  return k;
}

bool valid_journal_folder(std::string_view folder) {
  if (folder.empty() || !valid_utf8(folder)) return false;
  for (char c : folder) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::optional<JournalEntry> parse_journal_line(std::string_view line) {
  if (line.empty() || line.size() > max_journal_line_bytes || line.front() == '#') return std::nullopt;
  std::size_t tab = line.find('\t');
  if (tab == std::string_view::npos) return std::nullopt;
  JournalEntry entry{line.substr(0, tab), line.substr(tab + 1)};
  if (!valid_journal_folder(entry.folder) || !store::valid_uidl(entry.uidl)) return std::nullopt;
  return entry;
}

Result<MigrationJournal> MigrationJournal::open(std::string state_dir) {
  if (state_dir.empty()) return make_error(ErrorCode::invalid_argument, "no state folder for the migration journal");
  DIRMAIL_TRY(posix::ensure_directory(state_dir));  // made with mode 0700
  return MigrationJournal(std::move(state_dir), true);
}

Result<MigrationJournal> MigrationJournal::open_read_only(std::string state_dir) {
  if (state_dir.empty()) return make_error(ErrorCode::invalid_argument, "no state folder for the migration journal");
  return MigrationJournal(std::move(state_dir), false);  // load() reads a missing file as empty
}

std::string MigrationJournal::file_of(const std::string& mailbox_root) const {
  // Two 64-bit hashes with different starting points: 128 bits, so that two roots of
  // one run never share a file by chance.
  const std::uint64_t a = fnv1a64(mailbox_root, fnv1a64_offset_basis);
  const std::uint64_t b = fnv1a64(mailbox_root, 0x9e3779b97f4a7c15ull);
  return posix::join_path(state_dir_, fmt::format("mailbox-{:016x}{:016x}.journal", a, b));
}

Status MigrationJournal::load(const std::string& mailbox_root) {
  if (loaded_root_ && *loaded_root_ == mailbox_root) return ok_status();
  loaded_root_.reset();
  loaded_.clear();
  const std::string path = file_of(mailbox_root);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {  // nothing copied into this mailbox yet
    loaded_root_ = mailbox_root;
    return ok_status();
  }
  if (fd < 0) return errno_error("open migration journal", path, errno);
  posix::UniqueFd file(fd);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return errno_error("look at", path, errno);
  if (static_cast<std::uint64_t>(st.st_size) > max_journal_bytes)
    return make_error(ErrorCode::limit_exceeded, "migration journal over " + std::to_string(max_journal_bytes) +
                                                     " bytes: " + path);
  // Only whole lines count: a last line without its LF was cut short by a crash.
  std::string pending;
  bool overlong = false;
  std::uint64_t offset = 0;
  for (;;) {
    auto chunk = posix::pread_up_to(file.get(), offset, kReadChunk, path);
    if (!chunk) return std::move(chunk).error();
    if (chunk->empty()) break;
    offset += chunk->size();
    if (offset > max_journal_bytes)
      return make_error(ErrorCode::limit_exceeded, "migration journal over " + std::to_string(max_journal_bytes) +
                                                       " bytes: " + path);
    std::string_view rest = *chunk;
    while (!rest.empty()) {
      std::size_t lf = rest.find('\n');
      std::string_view piece = rest.substr(0, lf);
      if (!overlong) {
        if (pending.size() + piece.size() > max_journal_line_bytes) {
          overlong = true;  // damaged: skipped up to its LF
          pending.clear();
        } else {
          pending.append(piece);
        }
      }
      if (lf == std::string_view::npos) break;
      if (!overlong)
        if (auto entry = parse_journal_line(pending)) loaded_.insert(key(entry->folder, entry->uidl));
      pending.clear();
      overlong = false;
      rest.remove_prefix(lf + 1);
    }
  }
  loaded_root_ = mailbox_root;
  return ok_status();
}

Result<bool> MigrationJournal::copied_before(const std::string& mailbox_root, std::string_view folder,
                                             std::string_view uidl) {
  DIRMAIL_TRY(load(mailbox_root));
  return loaded_.contains(key(folder, uidl));
}

Status MigrationJournal::record(const std::string& mailbox_root, std::string_view folder,
                                const std::vector<std::string>& uidls) {
  if (uidls.empty()) return ok_status();
  if (!writable_)
    return make_error(ErrorCode::invalid_argument, "migration journal opened read-only (dry run): " + state_dir_);
  if (!valid_journal_folder(folder) || folder.size() > max_journal_line_bytes)
    return make_error(ErrorCode::invalid_argument, "folder name cannot be journaled: " + escape_control(folder));
  const std::string path = file_of(mailbox_root);
  bool created = false;
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);  // read: its last byte
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    created = fd >= 0;
  }
  if (fd < 0) return errno_error("open migration journal", path, errno);
  posix::UniqueFd file(fd);

  std::string lines;
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return errno_error("look at", path, errno);
  if (st.st_size == 0) {
    lines = "# dirmail-import journal: " + escape_control(mailbox_root) + "\n";
  } else {
    auto last = posix::pread_up_to(file.get(), static_cast<std::uint64_t>(st.st_size) - 1, 1, path);
    if (!last) return std::move(last).error();
    // A line cut short by a crash is ended so that it can never read as an entry: a
    // space is in no UIDL, and a line without its TAB is none.
    if (*last != "\n") lines = " (cut short)\n";
  }
  for (const auto& uidl : uidls) {
    if (!store::valid_uidl(uidl))
      return make_error(ErrorCode::invalid_argument, "not a UIDL: " + escape_control(uidl));
    lines.append(key(folder, uidl)).push_back('\n');
  }
  DIRMAIL_TRY(posix::write_all(file.get(), lines, path));
  DIRMAIL_TRY(posix::sync_file(file.get(), path));
  if (created) DIRMAIL_TRY(posix::sync_directory(state_dir_));
  if (loaded_root_ && *loaded_root_ == mailbox_root)
    for (const auto& uidl : uidls) loaded_.insert(key(folder, uidl));
  return ok_status();
}

}  // namespace dirmail::migration
