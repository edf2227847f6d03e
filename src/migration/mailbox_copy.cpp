#include "dirmail/migration/mailbox_copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <unordered_set>

#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/fnv_hash.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/folder_names.hpp"

namespace dirmail::migration {
namespace {

constexpr std::size_t kChunk = 1 << 20;

// The named delivery of one message into one folder: "M" and 128 bits of hash in
// lower-case hex, a name the store takes ([A-Za-z0-9-], at most 64) that no other case
// of it can meet on a case-insensitive share. A collision is found out (the store then
// returns a message with another UIDL) and reported, never taken as a copy.
std::string delivery_id(std::string_view folder, std::string_view uidl) {
  std::string input;
  input.append(folder).push_back('\0');
  input.append(uidl);
  return fmt::format("M{:016x}{:016x}", fnv1a64(input, fnv1a64_offset_basis),
                     fnv1a64(input, 0x9e3779b97f4a7c15ull));
}

// Which store errors are about one message or folder (the rest of the mailbox can go
// on) rather than the store as a whole.
bool about_one_item(const Error& error) {
  return error.code == ErrorCode::invalid_argument || error.code == ErrorCode::not_found ||
         error.code == ErrorCode::already_exists || error.code == ErrorCode::limit_exceeded;
}

std::string spool_dir_of(const MailboxCopyOptions& options) {
  if (!options.spool_dir.empty()) return options.spool_dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// Whether the bytes have a line end other than CR LF (a bare LF or a bare CR).
Result<bool> has_bare_line_ends(int fd, std::uint64_t size, const std::string& path) {
  bool after_cr = false;
  for (std::uint64_t offset = 0; offset < size;) {
    auto chunk = posix::pread_up_to(fd, offset, kChunk, path);
    if (!chunk) return std::move(chunk).error();
    if (chunk->empty()) break;
    offset += chunk->size();
    for (char c : *chunk) {
      if (after_cr ? c != '\n' : c == '\n') return true;  // a CR without its LF, or an LF without its CR
      after_cr = c == '\r';
    }
  }
  return after_cr;  // a CR at the very end
}

// The bytes with every bare LF and bare CR made CR LF, in an unnamed file of `dir`.
Result<posix::UniqueFd> with_crlf(int fd, std::uint64_t size, const std::string& path, const std::string& dir,
                                  std::uint64_t& written) {
  auto out = posix::create_anonymous_file(dir);
  if (!out) return std::move(out).error();
  bool after_cr = false;
  written = 0;
  std::string converted;
  for (std::uint64_t offset = 0; offset < size;) {
    auto chunk = posix::pread_up_to(fd, offset, kChunk, path);
    if (!chunk) return std::move(chunk).error();
    if (chunk->empty()) break;
    offset += chunk->size();
    converted.clear();
    for (char c : *chunk) {
      if (after_cr && c == '\n') {
        after_cr = false;
        continue;  // its CR LF is written already
      }
      after_cr = c == '\r';
      if (c == '\r' || c == '\n') {
        converted += "\r\n";
      } else {
        converted.push_back(c);
      }
    }
    DIRMAIL_TRY(posix::pwrite_all(out->get(), converted, written, dir));
    written += converted.size();
  }
  return std::move(*out);
}

class MailboxCopy {
 public:
  MailboxCopy(store::MailStore& store, const std::string& root, MigrationJournal& journal,
              const MailboxCopyOptions& options)
      : store_(store), root_(root), journal_(journal), options_(options) {}

  Status copy_folder(const OriginalFolder& folder);
  Status copy_user_files(const OriginalMailbox& mailbox);
  MailboxCopyResult finish() {
    if (unlisted_ > 0) result_.problems.push_back("(" + std::to_string(unlisted_) + " more problems not listed)");
    return std::move(result_);
  }

 private:
  void problem(std::string what) {
    if (result_.problems.size() < max_listed_copy_problems) {
      result_.problems.push_back(escape_control(what));
    } else {
      ++unlisted_;
    }
  }
  // One message: stored (its UIDL into `copied`), a problem, or an error for the store.
  Status copy_message(const OriginalFolder& folder, const OriginalMessage& message, std::uint32_t uidnext,
                      std::vector<std::string>& copied);

  store::MailStore& store_;
  const std::string& root_;
  MigrationJournal& journal_;
  const MailboxCopyOptions& options_;
  MailboxCopyResult result_;
  std::size_t unlisted_ = 0;
};

Status MailboxCopy::copy_folder(const OriginalFolder& folder) {
  if (!options_.dry_run && folder.name != store::kInboxFolder) {
    if (auto created = store_.create_folder(root_, folder.name); !created) {
      if (created.error().code != ErrorCode::already_exists) {
        if (!about_one_item(created.error())) return std::move(created).error();
        problem("folder " + folder.name + ": not created: " + created.error().message);
        return ok_status();
      }
    }
  }
  auto status = store_.status(root_, folder.name);
  if (!status) {
    if (!about_one_item(status.error())) return std::move(status).error();
    problem("folder " + folder.name + ": " + status.error().message);
    return ok_status();
  }
  std::unordered_set<std::string> present;
  for (const auto& m : status->messages) present.insert(m.uidl);

  // UIDLs the folder holds that the journal does not yet: stored now, or found there
  // (a run killed before its journal), written in batches.
  std::vector<std::string> unjournaled;
  auto journal_now = [&]() -> Status {
    if (options_.dry_run) return ok_status();
    DIRMAIL_TRY(journal_.record(root_, folder.name, unjournaled));
    unjournaled.clear();
    return ok_status();
  };
  Status failure;
  for (const OriginalMessage& message : folder.messages) {
    auto before = journal_.copied_before(root_, folder.name, message.uidl);
    if (!before) {
      failure = std::move(before).error();
      break;
    }
    if (*before) {
      ++result_.already_there;
      continue;
    }
    if (present.contains(message.uidl)) {
      ++result_.already_there;
      unjournaled.push_back(message.uidl);
    } else if (options_.dry_run) {
      ++result_.copied;
      result_.bytes += message.size;
    } else if (auto done = copy_message(folder, message, status->uidnext, unjournaled); !done) {
      failure = std::move(done);
      break;
    }
    if (unjournaled.size() >= journal_batch_messages) {
      if (auto recorded = journal_now(); !recorded) return recorded;
    }
  }
  // What was stored is journaled even when the store failed part way.
  if (auto recorded = journal_now(); !recorded) {
    if (failure) return recorded;
  }
  return failure;
}

Status MailboxCopy::copy_message(const OriginalFolder& folder, const OriginalMessage& message,
                                 std::uint32_t uidnext, std::vector<std::string>& copied) {
  const std::string path = posix::join_path(folder.path, message.file);
  const std::string label = folder.name + "/" + message.file;
  const int raw_fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw_fd < 0) {
    problem(label + ": " + errno_error("open", path, errno).message);
    return ok_status();
  }
  posix::UniqueFd file(raw_fd);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    problem(label + ": not a regular file");
    return ok_status();
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > max_message_bytes) {
    problem(label + ": larger than " + std::to_string(max_message_bytes) + " bytes");
    return ok_status();
  }
  auto header = posix::pread_up_to(file.get(), 0, max_status_header_bytes, path);
  if (!header) {
    problem(label + ": " + header.error().message);
    return ok_status();
  }
  auto bare = has_bare_line_ends(file.get(), size, path);
  if (!bare) {
    problem(label + ": " + bare.error().message);
    return ok_status();
  }

  store::DeliverySource source;
  source.fd = file.get();
  source.length = size;
  source.uidl = message.uidl;
  source.delivery_id = delivery_id(folder.name, message.uidl);
  posix::UniqueFd converted;
  if (*bare) {
    std::uint64_t length = 0;
    auto spooled = with_crlf(file.get(), size, path, spool_dir_of(options_), length);
    if (!spooled) return std::move(spooled).error();  // the local spool, not this message
    converted = std::move(*spooled);
    source.fd = converted.get();
    source.length = length;
  }
  store::AppendOptions append;
  append.flags = flags_from_status_fields(*header);
  append.internal_date = message.modified > 0 ? message.modified : 0;

  auto stored = store_.append(root_, folder.name, source, append);
  if (!stored) {
    if (!about_one_item(stored.error())) return std::move(stored).error();
    problem(label + ": not stored: " + stored.error().message);
    return ok_status();
  }
  if (stored->message.uidl != message.uidl) {
    problem(label + ": the store holds another message under its delivery id (UIDL " + stored->message.uidl +
            "); not copied");
    return ok_status();
  }
  copied.push_back(message.uidl);
  if (stored->message.uid < uidnext) {
    ++result_.already_there;  // stored by an earlier run after our look at the folder
    return ok_status();
  }
  ++result_.copied;
  result_.bytes += stored->message.size;
  return ok_status();
}

Status MailboxCopy::copy_user_files(const OriginalMailbox& mailbox) {
  for (const std::string& name : mailbox.user_files) {
    // The store keeps them under the original's upper-case names, whatever the copy's case.
    std::string target;
    for (char c : name) target.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    auto there = store_.read_user_file(root_, target, max_user_file_bytes);
    if (!there && there.error().code != ErrorCode::limit_exceeded) {
      if (!about_one_item(there.error())) return std::move(there).error();
      problem(name + ": " + there.error().message);
      continue;
    }
    if (!there || there->has_value()) continue;  // the target has its own: kept
    const std::string path = posix::join_path(mailbox.path, name);
    const int raw_fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (raw_fd < 0) {
      problem(name + ": " + errno_error("open", path, errno).message);
      continue;
    }
    posix::UniqueFd file(raw_fd);
    auto data = posix::pread_up_to(file.get(), 0, max_user_file_bytes + 1, path);
    if (!data) {
      problem(name + ": " + data.error().message);
      continue;
    }
    if (data->size() > max_user_file_bytes) {
      problem(name + ": larger than " + std::to_string(max_user_file_bytes) + " bytes");
      continue;
    }
    if (!options_.dry_run) {
      if (auto written = store_.write_user_file(root_, target, *data); !written) {
        if (!about_one_item(written.error())) return written;
        problem(name + ": " + written.error().message);
        continue;
      }
    }
    ++result_.user_files;
  }
  return ok_status();
}

}  // namespace

Result<MailboxCopyResult> copy_mailbox(const OriginalMailbox& mailbox, store::MailStore& store,
                                       const std::string& mailbox_root, MigrationJournal& journal,
                                       const MailboxCopyOptions& options) {
  MailboxCopy copy(store, mailbox_root, journal, options);
  for (const OriginalFolder& folder : mailbox.folders) DIRMAIL_TRY(copy.copy_folder(folder));
  DIRMAIL_TRY(copy.copy_user_files(mailbox));
  return copy.finish();
}

}  // namespace dirmail::migration
