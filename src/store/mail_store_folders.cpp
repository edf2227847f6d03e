// FileMailStore's folder operations (IMAP mailboxes): list, create, delete, rename,
// append and copy. Where things are: mailbox_layout.hpp; locks: locked_folder.hpp.
//
// Creating, deleting and renaming hold the root's lock, so two sessions (or nodes)
// never work on the list of folders at once; each is one rename of a directory at the
// root, synced, so a crash leaves the folder whole or not there.
#include <algorithm>
#include <ctime>
#include <map>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/folder_names.hpp"
#include "dirmail/store/file_mail_store.hpp"
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

Result<FolderLock> lock_root(FileSystem& fs, const std::string& mailbox_root) {
  DIRMAIL_TRY(ensure_directory(fs, mailbox_root));
  return FolderLock::acquire(fs, mailbox_root);
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

// Copies the bytes of `from` into the new file `to` and syncs it; the size copied.
Result<std::uint64_t> copy_file(File& from, FileSystem& fs, const std::string& to) {
  constexpr std::size_t kChunk = 256 * 1024;
  auto info = from.info();
  if (!info) return std::move(info).error();
  auto target = fs.open(to, OpenMode::create_new);
  if (!target) return std::move(target).error();
  std::string buf(static_cast<std::size_t>(std::min<std::uint64_t>(info->size, kChunk)), '\0');
  std::uint64_t done = 0;
  while (done < info->size) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(info->size - done, buf.size()));
    auto got = from.read_at(done, std::span<char>(buf.data(), want));
    if (!got) return std::move(got).error();
    if (*got == 0) break;  // shorter than it was: message files never shrink, but do not spin
    DIRMAIL_TRY((*target)->write_at(done, std::string_view(buf.data(), *got)));
    done += *got;
  }
  DIRMAIL_TRY((*target)->sync());
  return done;
}

// The copy's bytes in tmp/: a hard link to the source file when the file system has
// them (message files never change once stored), otherwise a synced copy. false when
// the source is gone (expunged meanwhile).
Result<bool> place_copy(FileSystem& fs, PendingCopy& copy) {
  auto linked = fs.link(copy.source_path, copy.tmp_path);
  if (linked && *linked) {
    copy.linked = true;
    return true;
  }
  if (!linked) {
    if (linked.error().code != ErrorCode::not_found) return std::move(linked).error();
    auto source_there = exists(fs, copy.source_path);
    if (!source_there) return std::move(source_there).error();
    if (!*source_there) return false;
    // Else tmp/ is gone: the copy below says so.
  }
  auto source = fs.open(copy.source_path, OpenMode::read);
  if (!source) {
    if (source.error().code == ErrorCode::not_found) return false;
    return std::move(source).error();
  }
  auto size = copy_file(**source, fs, copy.tmp_path);
  if (!size) return std::move(size).error();
  copy.info.size = *size;
  return true;
}

// A copied message's keywords in the target folder: those that fit its list (new names
// are defined by K records in `records`).
std::uint64_t copied_keywords(const IndexState& target, const std::vector<std::string>& names,
                              std::vector<IndexRecord>& records) {
  auto mask = folder_keyword_mask(target, names, records, true);
  return mask ? *mask : 0;
}

}  // namespace

Result<std::vector<std::string>> FileMailStore::list_folders(const std::string& mailbox_root) {
  auto folders = folders_at(*fs_, mailbox_root);
  if (!folders) return std::move(folders).error();
  std::vector<std::string> names{std::string(kInboxFolder)};
  for (auto& [name, dir] : *folders)
    if (name != kInboxFolder) names.push_back(name);
  return names;
}

Status FileMailStore::make_folder(const std::string& mailbox_root, const std::string& folder_dir) {
  // Made whole under a name no folder can have, then renamed into place.
  std::string staging = posix::join_path(mailbox_root, kNewFolderDirName);
  DIRMAIL_TRY(remove_tree(*fs_, staging));  // left by a crash
  DIRMAIL_TRY(fs_->make_directory(staging));
  auto made = [&]() -> Status {
    DIRMAIL_TRY(ensure_folder(*fs_, staging, false));
    IndexCache scratch;
    auto log = IndexLog::open(*fs_, staging, scratch, true);  // synced, with a new UIDVALIDITY
    if (!log) return std::move(log).error();
    log->close();  // a share may refuse to rename a directory with a file open in it
    DIRMAIL_TRY(fs_->rename(staging, folder_dir, Rename::no_replace));
    return fs_->sync_directory(mailbox_root);
  }();
  if (!made) (void)remove_tree(*fs_, staging);
  return made;
}

Status FileMailStore::create_folder(const std::string& mailbox_root, std::string_view folder) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  if (location->name == kInboxFolder) return make_error(ErrorCode::already_exists, "INBOX always exists");
  auto root_lock = lock_root(*fs_, mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto folders = folders_at(*fs_, mailbox_root);
  if (!folders) return std::move(folders).error();
  if (const std::string* twin = case_twin(*folders, location->name)) {
    if (*twin == location->name) return make_error(ErrorCode::already_exists, "folder exists: " + location->name);
    return make_error(ErrorCode::already_exists, "folder " + *twin + " exists (names differ only in case)");
  }
  auto in_the_way = exists(*fs_, location->dir);
  if (!in_the_way) return std::move(in_the_way).error();
  if (*in_the_way) return make_error(ErrorCode::already_exists, location->dir + " is in the way and is not a folder");
  DIRMAIL_TRY(make_folder(mailbox_root, location->dir));
  store_log().with("folder", location->dir).info("folder created");
  return ok_status();
}

Status FileMailStore::delete_folder(const std::string& mailbox_root, std::string_view folder) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  if (location->name == kInboxFolder) return make_error(ErrorCode::permission_denied, "INBOX cannot be deleted");
  auto root = fs_->stat(mailbox_root);
  if (!root) return std::move(root).error();
  if (!*root || !(*root)->directory) return make_error(ErrorCode::not_found, "no such folder: " + location->name);
  auto root_lock = lock_root(*fs_, mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto folders = folders_at(*fs_, mailbox_root);
  if (!folders) return std::move(folders).error();
  if (folders->count(location->name) == 0) return make_error(ErrorCode::not_found, "no such folder: " + location->name);
  for (const auto& [name, dir] : *folders)
    if (is_below(name, location->name))
      return make_error(ErrorCode::already_exists, location->name + " has child folders");

  // Under the folder's lock no message is half stored; the directory leaves in one
  // rename, and sessions still using the folder get not_found from then on.
  auto locked = lock_folder(*fs_, *folders_, location->dir, false);
  if (!locked) return std::move(locked).error();
  const std::uint32_t uidvalidity = locked->log.state().uidvalidity();
  std::string trash = posix::join_path(mailbox_root, std::string(kDeletedFolderPrefix) + make_message_file_name(file_host_));
  locked->log.close();  // a share may refuse to move a directory with an open file in it
  DIRMAIL_TRY(fs_->rename(location->dir, trash, Rename::no_replace));
  DIRMAIL_TRY(fs_->sync_directory(mailbox_root));
  locked->unlock();
  // Keeps the counter above this folder's value even if it was given before the counter
  // existed: a folder made again under this name must show a new one.
  if (uidvalidity != 0) {
    if (auto raised = next_uidvalidity(*fs_, mailbox_root, uidvalidity); !raised)
      store_log().with("folder", location->dir).warn("UIDVALIDITY counter not raised: " + raised.error().message);
  }

  store_log().with("folder", location->dir).info("folder deleted");
  // Also what a crash left of earlier deletions.
  auto entries = fs_->list(mailbox_root);
  if (!entries) return std::move(entries).error();
  for (const auto& entry : *entries) {
    if (!entry.name.starts_with(kDeletedFolderPrefix)) continue;
    std::string path = posix::join_path(mailbox_root, entry.name);
    if (auto removed = remove_tree(*fs_, path); !removed)
      store_log().with("path", path).warn("deleted folder not removed: " + removed.error().message);
  }
  return ok_status();
}

Status FileMailStore::rename_folder(const std::string& mailbox_root, std::string_view from, std::string_view to) {
  auto source = locate_folder(mailbox_root, from);
  if (!source) return std::move(source).error();
  auto target = locate_folder(mailbox_root, to);
  if (!target) return std::move(target).error();
  if (target->name == kInboxFolder) return make_error(ErrorCode::already_exists, "INBOX always exists");
  auto root_lock = lock_root(*fs_, mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  auto folders = folders_at(*fs_, mailbox_root);
  if (!folders) return std::move(folders).error();
  if (source->name == kInboxFolder) {
    auto in_the_way = exists(*fs_, target->dir);
    if (!in_the_way) return std::move(in_the_way).error();
    if (case_twin(*folders, target->name) != nullptr || *in_the_way)
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
    // A case-only rename on a case-insensitive share finds the mover itself there.
    for (const auto& [other_dir, other] : moves) in_place_of_a_mover |= iequals(other_dir, place.dir);
    if (in_place_of_a_mover) continue;
    auto in_the_way = exists(*fs_, place.dir);
    if (!in_the_way) return std::move(in_the_way).error();
    if (*in_the_way) return make_error(ErrorCode::already_exists, place.dir + " is in the way and is not a folder");
  }

  // Each folder's lock, so no message is half stored in a directory that moves. Its
  // cur/ is synced here: a delivery syncs it after releasing the lock, and would not
  // find it under the old name.
  std::vector<LockedFolder> locks;
  for (const auto& [old_dir, place] : moves) {
    auto locked = lock_folder(*fs_, *folders_, old_dir, false);
    if (!locked) return std::move(locked).error();
    DIRMAIL_TRY(fs_->sync_directory(posix::join_path(old_dir, "cur")));
    locked->log.close();  // a share may refuse to move a directory with an open file in it
    locks.push_back(std::move(*locked));
  }
  std::size_t done = 0;
  Status renamed;
  for (; done < moves.size(); ++done) {
    renamed = fs_->rename(moves[done].first, moves[done].second.dir, Rename::no_replace);
    if (!renamed) break;
  }
  if (!renamed) {
    // All or nothing: put back what moved.
    while (done > 0) {
      --done;
      (void)fs_->rename(moves[done].second.dir, moves[done].first, Rename::no_replace);
    }
  }
  DIRMAIL_TRY(fs_->sync_directory(mailbox_root));
  for (auto& locked : locks) locked.unlock();
  if (!renamed) return renamed;
  store_log().with("folder", source->dir).with("to", target->dir)
      .with("count", static_cast<std::uint64_t>(moves.size())).info("folder renamed");
  return ok_status();
}

Status FileMailStore::rename_inbox(const std::string& mailbox_root, const std::string& to_dir) {
  // RFC 3501 §6.3.5: the messages move to a new folder; INBOX stays, empty, and the
  // folders below it stay where they are.
  DIRMAIL_TRY(make_folder(mailbox_root, to_dir));
  auto inbox = locate_folder(mailbox_root, kInboxFolder);
  if (!inbox) return std::move(inbox).error();
  auto inbox_there = is_folder(*fs_, inbox->dir);
  if (!inbox_there) return std::move(inbox_there).error();
  if (*inbox_there) {
    auto from = lock_folder(*fs_, *folders_, inbox->dir, true);
    if (!from) return std::move(from).error();
    auto into = lock_folder(*fs_, *folders_, to_dir, true);
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
      if (auto renamed = fs_->rename(from_path, posix::join_path(into_cur, message.file), Rename::no_replace); !renamed) {
        if (renamed.error().code == ErrorCode::not_found) continue;  // gone behind the index's back: INBOX's repair drops it
        moved = std::move(renamed);
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
    DIRMAIL_TRY(fs_->sync_directory(into_cur));
    DIRMAIL_TRY(into->append(adds));
    DIRMAIL_TRY(into->log.sync());
    DIRMAIL_TRY(fs_->sync_directory(from_cur));
    DIRMAIL_TRY(from->append(expunges));
    DIRMAIL_TRY(from->log.sync());
    if (!moved) return moved;
    store_log().with("folder", to_dir).with("count", static_cast<std::uint64_t>(expunges.size()))
        .info("INBOX renamed: messages moved");
  }
  return ok_status();
}

Result<AppendResult> FileMailStore::append(const std::string& mailbox_root, std::string_view folder,
                                            const DeliverySource& source, const AppendOptions& options) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  if ((options.flags & ~kAllFlags) != 0) return make_error(ErrorCode::invalid_argument, "unknown flag bits");
  if (options.internal_date < 0) return make_error(ErrorCode::invalid_argument, "internal date before 1970");
  DIRMAIL_TRY(validate_source(source));
  if (location->name == kInboxFolder) {
    DIRMAIL_TRY(ensure_folder(*fs_, location->dir, true));
  } else {
    auto there = is_folder(*fs_, location->dir);
    if (!there) return std::move(there).error();
    if (!*there) return make_error(ErrorCode::not_found, "no such folder: " + location->name);
    DIRMAIL_TRY(ensure_folder(*fs_, location->dir, false));
  }
  return store_message(location->dir, source, options);
}

Result<CopyResult> FileMailStore::copy(const std::string& mailbox_root, std::string_view from,
                                        std::span<const std::uint32_t> uids, std::string_view to) {
  auto source = locate_folder(mailbox_root, from);
  if (!source) return std::move(source).error();
  auto target = locate_folder(mailbox_root, to);
  if (!target) return std::move(target).error();
  auto source_folder = is_folder(*fs_, source->dir);
  if (!source_folder) return std::move(source_folder).error();
  const bool source_there = *source_folder;
  if (!source_there && source->name != kInboxFolder)
    return make_error(ErrorCode::not_found, "no such folder: " + source->name);
  if (target->name == kInboxFolder) {
    DIRMAIL_TRY(ensure_folder(*fs_, target->dir, true));
  } else {
    auto there = is_folder(*fs_, target->dir);
    if (!there) return std::move(there).error();
    if (!*there) return make_error(ErrorCode::not_found, "no such folder: " + target->name);
    DIRMAIL_TRY(ensure_folder(*fs_, target->dir, false));
  }
  std::vector<std::uint32_t> wanted(uids.begin(), uids.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  // Which messages, under the source's lock only: the files are placed without it
  // (a message expunged meanwhile is skipped), so no two folder locks are held.
  std::vector<PendingCopy> copies;
  if (source_there && !wanted.empty()) {
    auto locked = lock_folder(*fs_, *folders_, source->dir, false);
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
      (void)fs_->remove(in_cur ? posix::join_path(cur_dir, copies[i].name) : copies[i].tmp_path);
  };
  std::vector<PendingCopy> placed;
  for (auto& copy : copies) {
    copy.name = make_message_file_name(file_host_);
    copy.tmp_path = posix::join_path(tmp_dir, copy.name);
    auto made = place_copy(*fs_, copy);
    if (!made) {
      (void)fs_->remove(copy.tmp_path);
      for (const auto& done : placed) (void)fs_->remove(done.tmp_path);
      return std::move(made).error();
    }
    if (*made) placed.push_back(std::move(copy));
  }
  copies = std::move(placed);

  // Into cur/ and the index under the target's lock, as a delivery.
  auto locked = lock_folder(*fs_, *folders_, target->dir, true);
  if (!locked) {
    discard(0, false);
    return std::move(locked).error();
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
    if (auto renamed = fs_->rename(copy.tmp_path, cur_path, Rename::no_replace); !renamed) {
      // Only the copies moved so far are in cur/.
      for (std::size_t j = 0; j < i; ++j) (void)fs_->remove(posix::join_path(cur_dir, copies[j].name));
      discard(i, false);
      return std::move(renamed).error();
    }
    if (!copy.linked) {
      // As append does: a rebuilt index dates the file by its mtime.
      (void)fs_->set_modified(cur_path, copy.info.internal_date);
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
    DIRMAIL_TRY(sync_cur_directory(*fs_, cur_dir));
    DIRMAIL_TRY(log.sync());
  }
  store_log().with("folder", target->dir).with("count", static_cast<std::uint64_t>(result.copied.size()))
      .debug("messages copied");
  return result;
}

}  // namespace dirmail::store
