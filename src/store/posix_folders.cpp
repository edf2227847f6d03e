// PosixMailStore's folder operations (IMAP mailboxes): list, create, delete, rename,
// append and copy. Where things are: mailbox_layout.hpp; locks: locked_folder.hpp.
//
// Creating, deleting and renaming hold the root's lock, so two sessions (or nodes)
// never work on the list of folders at once; each is one rename of a directory at the
// root, synced, so a crash leaves the folder whole or not there.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <system_error>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/folder_names.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "folder_cache.hpp"
#include "folder_lock.hpp"
#include "index_log.hpp"
#include "keyword_names.hpp"
#include "locked_folder.hpp"
#include "mailbox_layout.hpp"
#include "message_names.hpp"
#include "uidvalidity_counter.hpp"

namespace dirmail::store {
namespace {

using FolderMap = std::map<std::string, std::string>;  // canonical name -> directory

log::LogLine store_log() { return log::LogLine(log::service("store"), log::Record::store); }

Result<FolderLock> lock_root(const std::string& mailbox_root) {
  DIRMAIL_TRY(posix::ensure_directory(mailbox_root));
  return FolderLock::acquire(mailbox_root);
}

// rename(2) that never replaces `to`: a plain rename would replace an empty directory.
Status rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return ok_status();
  if (errno == EEXIST || errno == ENOTEMPTY) return make_error(ErrorCode::already_exists, to + " exists");
  if (errno != EINVAL && errno != ENOSYS) return errno_error("rename", from, errno);
  // The file system cannot promise it (some network shares); the callers hold the
  // root's lock, so looking first is enough.
  if (::access(to.c_str(), F_OK) == 0) return make_error(ErrorCode::already_exists, to + " exists");
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_error("rename", from, errno);
  return ok_status();
}

// Removes a directory tree that is no longer a folder (never following links).
Status remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot remove " + path + ": " + ec.message());
  return ok_status();
}

// The folder among `folders` that a case-insensitive share cannot tell from `name`.
const std::string* case_twin(const FolderMap& folders, std::string_view name) {
  for (const auto& [existing, dir] : folders)
    if (iequals(existing, name)) return &existing;
  return nullptr;
}

bool is_below(std::string_view name, std::string_view parent) {
  return name.size() > parent.size() && name.compare(0, parent.size(), parent) == 0 && name[parent.size()] == '/';
}

// A message to be copied, and its file while it waits in the target's tmp/.
struct PendingCopy {
  std::uint32_t source_uid = 0;
  MessageInfo info;        // of the source; uid, uidl and keywords are replaced
  std::vector<std::string> keywords;  // their names, for the target's keyword list
  std::string source_path;
  std::string name;        // in the target
  std::string tmp_path;
  bool linked = false;
};

// The copy's bytes in tmp/: a hard link to the source file when the file system allows
// it (message files never change once stored), otherwise a synced copy. false when
// the source is gone (expunged meanwhile).
Result<bool> place_copy(PendingCopy& copy) {
  if (::link(copy.source_path.c_str(), copy.tmp_path.c_str()) == 0) {
    copy.linked = true;
    return true;
  }
  if (errno == ENOENT && ::access(copy.source_path.c_str(), F_OK) != 0) return false;
  int raw_fd;
  do {
    raw_fd = ::open(copy.source_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  } while (raw_fd < 0 && errno == EINTR);
  if (raw_fd < 0) {
    if (errno == ENOENT) return false;
    return errno_error("open", copy.source_path, errno);
  }
  posix::UniqueFd source(raw_fd);
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) return errno_error("stat", copy.source_path, errno);
  auto target = posix::open_file(copy.tmp_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!target) return std::move(target).error();
  auto size = static_cast<std::uint64_t>(st.st_size);
  DIRMAIL_TRY(posix::copy_range(source.get(), 0, size, target->get(), copy.tmp_path));
  DIRMAIL_TRY(posix::sync_file(target->get(), copy.tmp_path));
  copy.info.size = size;
  return true;
}

void unlink_quietly(const std::string& path) { ::unlink(path.c_str()); }

// A copied message's keywords in the target folder: those that fit its list (new names
// are defined by K records in `records`).
std::uint64_t copied_keywords(const IndexState& target, const std::vector<std::string>& names,
                              std::vector<IndexRecord>& records) {
  auto mask = folder_keyword_mask(target, names, records, true);
  return mask ? *mask : 0;
}

}  // namespace

Result<std::vector<std::string>> PosixMailStore::list_folders(const std::string& mailbox_root) {
  auto folders = folders_at(mailbox_root);
  if (!folders) return std::move(folders).error();
  std::vector<std::string> names{std::string(kInboxFolder)};
  for (auto& [name, dir] : *folders)
    if (name != kInboxFolder) names.push_back(name);
  return names;
}

Status PosixMailStore::make_folder(const std::string& mailbox_root, const std::string& folder_dir) {
  // Made whole under a name no folder can have, then renamed into place.
  std::string staging = posix::join_path(mailbox_root, kNewFolderDirName);
  DIRMAIL_TRY(remove_tree(staging));  // left by a crash
  if (::mkdir(staging.c_str(), 0700) != 0) return errno_error("mkdir", staging, errno);
  auto made = [&]() -> Status {
    DIRMAIL_TRY(ensure_folder(staging, false));
    IndexCache scratch;
    auto log = IndexLog::open(staging, scratch, true);  // synced, with a new UIDVALIDITY
    if (!log) return std::move(log).error();
    DIRMAIL_TRY(rename_no_replace(staging, folder_dir));
    return posix::sync_directory(mailbox_root);
  }();
  if (!made) (void)remove_tree(staging);
  return made;
}

Status PosixMailStore::create_folder(const std::string& mailbox_root, std::string_view folder) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  if (location->name == kInboxFolder) return make_error(ErrorCode::already_exists, "INBOX always exists");
  auto root_lock = lock_root(mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto folders = folders_at(mailbox_root);
  if (!folders) return std::move(folders).error();
  if (const std::string* twin = case_twin(*folders, location->name)) {
    if (*twin == location->name) return make_error(ErrorCode::already_exists, "folder exists: " + location->name);
    return make_error(ErrorCode::already_exists, "folder " + *twin + " exists (names differ only in case)");
  }
  if (::access(location->dir.c_str(), F_OK) == 0)
    return make_error(ErrorCode::already_exists, location->dir + " is in the way and is not a folder");
  DIRMAIL_TRY(make_folder(mailbox_root, location->dir));
  store_log().with("folder", location->dir).info("folder created");
  return ok_status();
}

Status PosixMailStore::delete_folder(const std::string& mailbox_root, std::string_view folder) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  if (location->name == kInboxFolder) return make_error(ErrorCode::permission_denied, "INBOX cannot be deleted");
  if (!posix::is_directory(mailbox_root)) return make_error(ErrorCode::not_found, "no such folder: " + location->name);
  auto root_lock = lock_root(mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto folders = folders_at(mailbox_root);
  if (!folders) return std::move(folders).error();
  if (folders->count(location->name) == 0) return make_error(ErrorCode::not_found, "no such folder: " + location->name);
  for (const auto& [name, dir] : *folders)
    if (is_below(name, location->name))
      return make_error(ErrorCode::already_exists, location->name + " has child folders");

  // Under the folder's lock no message is half stored; the directory leaves in one
  // rename, and sessions still using the folder get not_found from then on.
  auto locked = lock_folder(*folders_, location->dir, false);
  if (!locked) return std::move(locked).error();
  const std::uint32_t uidvalidity = locked->log.state().uidvalidity();
  std::string trash = posix::join_path(mailbox_root, std::string(kDeletedFolderPrefix) + make_message_file_name(file_host_));
  DIRMAIL_TRY(rename_no_replace(location->dir, trash));
  DIRMAIL_TRY(posix::sync_directory(mailbox_root));
  locked->unlock();
  // Keeps the counter above this folder's value even if it was given before the counter
  // existed: a folder made again under this name must show a new one.
  if (uidvalidity != 0) {
    if (auto raised = next_uidvalidity(mailbox_root, uidvalidity); !raised)
      store_log().with("folder", location->dir).warn("UIDVALIDITY counter not raised: " + raised.error().message);
  }

  store_log().with("folder", location->dir).info("folder deleted");
  // Also what a crash left of earlier deletions.
  auto names = posix::list_directory(mailbox_root);
  if (!names) return std::move(names).error();
  for (const auto& name : *names) {
    if (!name.starts_with(kDeletedFolderPrefix)) continue;
    std::string path = posix::join_path(mailbox_root, name);
    if (auto removed = remove_tree(path); !removed)
      store_log().with("path", path).warn("deleted folder not removed: " + removed.error().message);
  }
  return ok_status();
}

Status PosixMailStore::rename_folder(const std::string& mailbox_root, std::string_view from, std::string_view to) {
  auto source = locate_folder(mailbox_root, from);
  if (!source) return std::move(source).error();
  auto target = locate_folder(mailbox_root, to);
  if (!target) return std::move(target).error();
  if (target->name == kInboxFolder) return make_error(ErrorCode::already_exists, "INBOX always exists");
  auto root_lock = lock_root(mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto folders = folders_at(mailbox_root);
  if (!folders) return std::move(folders).error();
  if (source->name == kInboxFolder) {
    if (case_twin(*folders, target->name) != nullptr || ::access(target->dir.c_str(), F_OK) == 0)
      return make_error(ErrorCode::already_exists, "folder exists: " + target->name);
    return rename_inbox(mailbox_root, target->dir);
  }
  if (folders->count(source->name) == 0) return make_error(ErrorCode::not_found, "no such folder: " + source->name);
  if (target->name == source->name) return make_error(ErrorCode::already_exists, "folder exists: " + target->name);
  if (is_below(target->name, source->name))
    return make_error(ErrorCode::invalid_argument, "a folder cannot move below itself");

  // The folder and every folder below it, with their new names (which must be valid too).
  std::vector<std::pair<std::string, FolderLocation>> moves;  // old directory, new place
  for (const auto& [name, dir] : *folders) {
    if (name != source->name && !is_below(name, source->name)) continue;
    auto moved = locate_folder(mailbox_root, target->name + name.substr(source->name.size()));
    if (!moved) return std::move(moved).error();
    moves.emplace_back(dir, std::move(*moved));
  }
  auto moving = [&](std::string_view name) { return name == source->name || is_below(name, source->name); };
  for (const auto& [old_dir, place] : moves) {
    for (const auto& [name, dir] : *folders)
      if (!moving(name) && iequals(name, place.name))
        return make_error(ErrorCode::already_exists, "folder exists: " + name);
    bool in_place_of_a_mover = false;
    for (const auto& [other_dir, other] : moves) in_place_of_a_mover |= other_dir == place.dir;
    if (!in_place_of_a_mover && ::access(place.dir.c_str(), F_OK) == 0)
      return make_error(ErrorCode::already_exists, place.dir + " is in the way and is not a folder");
  }

  // Each folder's lock, so no message is half stored in a directory that moves.
  std::vector<LockedFolder> locks;
  for (const auto& [old_dir, place] : moves) {
    auto locked = lock_folder(*folders_, old_dir, false);
    if (!locked) return std::move(locked).error();
    locks.push_back(std::move(*locked));
  }
  std::size_t done = 0;
  Status renamed;
  for (; done < moves.size(); ++done) {
    renamed = rename_no_replace(moves[done].first, moves[done].second.dir);
    if (!renamed) break;
  }
  if (!renamed) {
    // All or nothing: put back what moved.
    while (done > 0) {
      --done;
      ::rename(moves[done].second.dir.c_str(), moves[done].first.c_str());
    }
  }
  DIRMAIL_TRY(posix::sync_directory(mailbox_root));
  for (auto& locked : locks) locked.unlock();
  if (!renamed) return renamed;
  store_log().with("folder", source->dir).with("to", target->dir)
      .with("count", static_cast<std::uint64_t>(moves.size())).info("folder renamed");
  return ok_status();
}

Status PosixMailStore::rename_inbox(const std::string& mailbox_root, const std::string& to_dir) {
  // RFC 3501 §6.3.5: the messages move to a new folder; INBOX stays, empty, and the
  // folders below it stay where they are.
  DIRMAIL_TRY(make_folder(mailbox_root, to_dir));
  auto inbox = locate_folder(mailbox_root, kInboxFolder);
  if (!inbox) return std::move(inbox).error();
  if (is_folder(inbox->dir)) {
    auto from = lock_folder(*folders_, inbox->dir, true);
    if (!from) return std::move(from).error();
    auto into = lock_folder(*folders_, to_dir, true);
    if (!into) return std::move(into).error();
    const std::string from_cur = posix::join_path(inbox->dir, "cur");
    const std::string into_cur = posix::join_path(to_dir, "cur");
    std::vector<IndexRecord> adds;
    std::vector<IndexRecord> expunges;
    std::uint32_t next_uid = into->log.state().uidnext();
    Status moved;
    for (const auto& [uid, message] : from->log.state().live()) {
      // Same file system, same name: one rename each. A crash in the middle leaves
      // files the target's index does not know yet and INBOX entries without files;
      // status() of each adopts or drops them, so no message is lost.
      std::string from_path = posix::join_path(from_cur, message.file);
      if (::rename(from_path.c_str(), posix::join_path(into_cur, message.file).c_str()) != 0) {
        if (errno == ENOENT) continue;  // gone behind the index's back: INBOX's repair drops it
        moved = errno_error("rename", from_path, errno);
        break;
      }
      MessageInfo info = message.info;
      info.uid = next_uid++;
      info.keywords = copied_keywords(into->log.state(), keyword_names(from->log.state().keywords(), info.keywords), adds);
      info.modseq = 0;  // stamped by the append
      adds.push_back(IndexRecord::make_add(std::move(info), message.file));
      expunges.push_back(IndexRecord::make_expunge(uid));
    }
    // The target's index first: until INBOX forgets them, the messages are still found.
    DIRMAIL_TRY(posix::sync_directory(into_cur));
    DIRMAIL_TRY(into->append(adds));
    DIRMAIL_TRY(into->log.sync());
    DIRMAIL_TRY(posix::sync_directory(from_cur));
    DIRMAIL_TRY(from->append(expunges));
    DIRMAIL_TRY(from->log.sync());
    if (!moved) return moved;
    store_log().with("folder", to_dir).with("count", static_cast<std::uint64_t>(expunges.size()))
        .info("INBOX renamed: messages moved");
  }
  return ok_status();
}

Result<AppendResult> PosixMailStore::append(const std::string& mailbox_root, std::string_view folder,
                                            const DeliverySource& source, const AppendOptions& options) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  if ((options.flags & ~kAllFlags) != 0) return make_error(ErrorCode::invalid_argument, "unknown flag bits");
  if (options.internal_date < 0) return make_error(ErrorCode::invalid_argument, "internal date before 1970");
  DIRMAIL_TRY(validate_source(source));
  if (location->name == kInboxFolder) {
    DIRMAIL_TRY(ensure_folder(location->dir, true));
  } else {
    if (!is_folder(location->dir)) return make_error(ErrorCode::not_found, "no such folder: " + location->name);
    DIRMAIL_TRY(ensure_folder(location->dir, false));
  }
  return store_message(location->dir, source, options);
}

Result<CopyResult> PosixMailStore::copy(const std::string& mailbox_root, std::string_view from,
                                        std::span<const std::uint32_t> uids, std::string_view to) {
  auto source = locate_folder(mailbox_root, from);
  if (!source) return std::move(source).error();
  auto target = locate_folder(mailbox_root, to);
  if (!target) return std::move(target).error();
  const bool source_there = is_folder(source->dir);
  if (!source_there && source->name != kInboxFolder)
    return make_error(ErrorCode::not_found, "no such folder: " + source->name);
  if (target->name == kInboxFolder) {
    DIRMAIL_TRY(ensure_folder(target->dir, true));
  } else {
    if (!is_folder(target->dir)) return make_error(ErrorCode::not_found, "no such folder: " + target->name);
    DIRMAIL_TRY(ensure_folder(target->dir, false));
  }
  std::vector<std::uint32_t> wanted(uids.begin(), uids.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  // Which messages, under the source's lock only: the files are placed without it
  // (a message expunged meanwhile is skipped), so no two folder locks are held.
  std::vector<PendingCopy> copies;
  if (source_there && !wanted.empty()) {
    auto locked = lock_folder(*folders_, source->dir, false);
    if (!locked) return std::move(locked).error();
    const std::string cur = posix::join_path(source->dir, "cur");
    for (std::uint32_t uid : wanted) {
      const IndexedMessage* message = locked->log.state().find(uid);
      if (message == nullptr) continue;
      PendingCopy copy;
      copy.source_uid = uid;
      copy.info = message->info;
      copy.keywords = keyword_names(locked->log.state().keywords(), message->info.keywords);
      copy.source_path = posix::join_path(cur, message->file);
      copies.push_back(std::move(copy));
    }
  }
  const std::string tmp_dir = posix::join_path(target->dir, "tmp");
  const std::string cur_dir = posix::join_path(target->dir, "cur");
  auto discard = [&](std::size_t from_index, bool in_cur) {
    for (std::size_t i = from_index; i < copies.size(); ++i)
      unlink_quietly(in_cur ? posix::join_path(cur_dir, copies[i].name) : copies[i].tmp_path);
  };
  std::vector<PendingCopy> placed;
  for (auto& copy : copies) {
    copy.name = make_message_file_name(file_host_);
    copy.tmp_path = posix::join_path(tmp_dir, copy.name);
    auto made = place_copy(copy);
    if (!made) {
      unlink_quietly(copy.tmp_path);
      for (const auto& done : placed) unlink_quietly(done.tmp_path);
      return std::move(made).error();
    }
    if (*made) placed.push_back(std::move(copy));
  }
  copies = std::move(placed);

  // Into cur/ and the index under the target's lock, as a delivery.
  auto locked = lock_folder(*folders_, target->dir, true);
  if (!locked) {
    discard(0, false);
    return std::move(locked).error();
  }
  // Opened under the lock: synced after it, when the folder may already be gone.
  auto cur_fd = posix::open_file(cur_dir, O_RDONLY | O_DIRECTORY);
  if (!cur_fd) {
    discard(0, false);
    return std::move(cur_fd).error();
  }
  CopyResult result;
  result.uidvalidity = locked->log.state().uidvalidity();
  std::uint32_t next_uid = locked->log.state().uidnext();
  if (!copies.empty() && (next_uid >= UINT32_MAX - 1 || copies.size() >= UINT32_MAX - 1 - next_uid)) {
    discard(0, false);
    return make_error(ErrorCode::limit_exceeded, "folder has used up its UIDs: " + target->dir);
  }
  std::vector<IndexRecord> adds;
  for (std::size_t i = 0; i < copies.size(); ++i) {
    PendingCopy& copy = copies[i];
    std::string cur_path = posix::join_path(cur_dir, copy.name);
    if (::rename(copy.tmp_path.c_str(), cur_path.c_str()) != 0) {
      auto error = errno_error("rename", copy.tmp_path, errno);
      discard(0, true);
      discard(i, false);
      return error;
    }
    if (!copy.linked) {
      // As append does: a rebuilt index dates the file by its mtime.
      const struct timespec times[2] = {{copy.info.internal_date, 0}, {copy.info.internal_date, 0}};
      ::utimensat(AT_FDCWD, cur_path.c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
    copy.info.uid = next_uid++;
    copy.info.uidl = uidl_from_file_name(copy.name);  // a copy is another message for POP3
    copy.info.keywords = copied_keywords(locked->log.state(), copy.keywords, adds);
    copy.info.modseq = 0;  // stamped by the append
    adds.push_back(IndexRecord::make_add(copy.info, copy.name));
    result.copied.push_back(CopiedMessage{copy.source_uid, copy.info.uid});
  }
  if (auto appended = locked->append(adds); !appended) {
    discard(0, true);
    return std::move(appended).error();
  }
  IndexLog log = std::move(locked->log);
  locked->unlock();
  if (!adds.empty()) {
    DIRMAIL_TRY(posix::sync_file(cur_fd->get(), cur_dir));
    DIRMAIL_TRY(log.sync());
  }
  store_log().with("folder", target->dir).with("count", static_cast<std::uint64_t>(result.copied.size()))
      .debug("messages copied");
  return result;
}

}  // namespace dirmail::store
