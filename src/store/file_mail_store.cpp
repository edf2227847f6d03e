#include "dirmail/store/file_mail_store.hpp"

#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/folder_names.hpp"
#include "file_message_reader.hpp"
#include "folder_cache.hpp"
#include "folder_repair.hpp"
#include "index_log.hpp"
#include "keyword_names.hpp"
#include "locked_folder.hpp"
#include "mailbox_layout.hpp"
#include "message_names.hpp"

namespace dirmail::store {
namespace {

constexpr std::int64_t kStaleTmpSeconds = 36 * 3600;  // as maildir readers do

// The modification times of cur/ and new/, as a stamp to compare later. Files enter
// and leave cur/ only under the folder lock, which the caller holds, so its time can be
// trusted as it is. new/ takes files from outside writers that hold no lock: a change
// made within the same clock tick as the stamp would leave its time as it is, so a
// stamp taken less than two seconds after new/ changed proves nothing.
CachedFolder::ScanStamp scan_stamp(FileSystem& fs, const std::string& folder_dir) {
  CachedFolder::ScanStamp stamp;
  auto cur = fs.stat(posix::join_path(folder_dir, "cur"));
  if (!cur || !*cur) return stamp;
  auto fresh = fs.stat(posix::join_path(folder_dir, "new"));
  if (!fresh || !*fresh) return stamp;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  stamp.valid = std::chrono::duration_cast<std::chrono::seconds>(now).count() - (*fresh)->modified.tv_sec >= 2;
  stamp.cur = (*cur)->modified;
  stamp.fresh = (*fresh)->modified;
  return stamp;
}

// Whether no file came into or left cur/ and new/ between two stamps.
bool same_files(const CachedFolder::ScanStamp& then, const CachedFolder::ScanStamp& now) {
  auto same = [](const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; };
  return then.valid && now.valid && same(now.cur, then.cur) && same(now.fresh, then.fresh);
}

Result<std::string> folder_path(const std::string& mailbox_root, std::string_view folder) {
  auto location = locate_folder(mailbox_root, folder);
  if (!location) return std::move(location).error();
  return std::move(location->dir);
}

// Writes prefix + source bytes into tmp/<name> and syncs the file. not_found when tmp/
// is gone: the folder was deleted or renamed by another session.
Status write_message_file(FileSystem& fs, const std::string& path, const DeliverySource& source) {
  auto file = fs.open(path, OpenMode::create_new);
  if (!file && file.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "folder is gone: " + path);
  if (!file) return std::move(file).error();
  if (!source.prefix.empty()) DIRMAIL_TRY((*file)->write_at(0, source.prefix));
  if (source.length > 0) DIRMAIL_TRY((*file)->write_from(source.prefix.size(), source.fd, source.offset, source.length));
  return (*file)->sync();
}


std::string local_host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

bool valid_delivery_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-')) return false;
  return true;
}

log::LogLine store_log() { return log::LogLine(log::service("store"), log::Record::store); }

}  // namespace

FileMailStore::FileMailStore(std::shared_ptr<FileSystem> fs, FileMailStoreOptions options)
    : fs_(std::move(fs)),
      options_(std::move(options)),
      file_host_(file_name_host(options_.host_name.empty() ? local_host_name() : options_.host_name)),
      folders_(std::make_unique<FolderCache>(options_.cached_folders)) {}

FileMailStore::~FileMailStore() = default;

Result<MessageInfo> FileMailStore::deliver(const std::string& mailbox_root, std::string_view folder,
                                            const DeliverySource& source) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  DIRMAIL_TRY(validate_source(source));
  DIRMAIL_TRY(ensure_folder(*fs_, *folder_dir, true));
  auto stored = store_message(*folder_dir, source, AppendOptions{});
  if (!stored) return std::move(stored).error();
  return std::move(stored->message);
}

Status FileMailStore::validate_source(const DeliverySource& source) {
  if (!source.uidl.empty() && !valid_uidl(source.uidl))
    return make_error(ErrorCode::invalid_argument, "UIDL must be 1-70 printable ASCII characters");
  if (source.length > 0 && source.fd < 0)
    return make_error(ErrorCode::invalid_argument, "delivery source has no file");
  if (!source.delivery_id.empty() && !valid_delivery_id(source.delivery_id))
    return make_error(ErrorCode::invalid_argument, "delivery id must be 1-64 characters of [A-Za-z0-9-]");
  return ok_status();
}

Result<AppendResult> FileMailStore::store_message(const std::string& folder_dir, const DeliverySource& source,
                                                  const AppendOptions& options) {
  const std::int64_t internal_date = options.internal_date;
  // A named delivery has a fixed file name, so a repeated one finds its first copy.
  std::string name = source.delivery_id.empty() ? make_message_file_name(file_host_) : "D" + source.delivery_id;
  // The tmp name is always fresh: a named delivery cut short by a crash leaves its tmp
  // file behind (status() clears old ones), and the repeat must not trip over it.
  std::string tmp_path = posix::join_path(posix::join_path(folder_dir, "tmp"), make_message_file_name(file_host_));
  std::string cur_dir = posix::join_path(folder_dir, "cur");
  std::string cur_path = posix::join_path(cur_dir, name);
  auto discard_tmp = [&] { (void)fs_->remove(tmp_path); };
  if (auto written = write_message_file(*fs_, tmp_path, source); !written) {
    discard_tmp();
    return std::move(written).error();
  }

  MessageInfo info;
  info.size = source.prefix.size() + source.length;
  info.uidl = source.uidl.empty() ? uidl_from_file_name(name) : source.uidl;
  info.flags = options.flags;
  info.internal_date = internal_date != 0 ? internal_date : static_cast<std::int64_t>(std::time(nullptr));

  auto locked = lock_folder(*fs_, *folders_, folder_dir, true);
  if (!locked) {
    discard_tmp();
    return std::move(locked).error();
  }
  bool already_stored = false;
  if (!source.delivery_id.empty()) {
    auto there = fs_->stat(cur_path);
    if (!there) {
      discard_tmp();
      return std::move(there).error();
    }
    already_stored = there->has_value();
  }
  if (already_stored) {
    // Delivered before (we crashed before the queue recorded it): keep that copy.
    discard_tmp();
    for (const auto& [uid, message] : locked->log.state().live()) {
      if (message.file == name) return AppendResult{locked->log.state().uidvalidity(), message.info};
    }
    // Renamed but not indexed: index it now, as status() would.
  }
  info.uid = locked->log.state().uidnext();
  if (info.uid >= UINT32_MAX - 1) {
    if (!already_stored) discard_tmp();
    return make_error(ErrorCode::limit_exceeded, "folder has used up its UIDs: " + folder_dir);
  }
  std::vector<IndexRecord> records;
  auto keywords = folder_keyword_mask(locked->log.state(), options.keywords, records);
  if (!keywords) {
    if (!already_stored) discard_tmp();
    return std::move(keywords).error();
  }
  info.keywords = *keywords;
  // The rename happens under the lock, so status() never sees the file before its
  // index record unless we crash in between (then status() adopts it).
  if (!already_stored) {
    if (auto renamed = fs_->rename(tmp_path, cur_path, Rename::no_replace); !renamed) {
      discard_tmp();
      // not_found: our tmp/ went with a folder deleted (and made again) while we wrote.
      if (renamed.error().code == ErrorCode::not_found)
        return make_error(ErrorCode::not_found, "folder is gone: " + tmp_path);
      return std::move(renamed).error();
    }
  }
  if (internal_date != 0) {
    // A rebuilt index dates adopted files by their mtime: keep the client's date there
    // too (best effort; the index is what counts).
    (void)fs_->set_modified(cur_path, internal_date);
  }
  records.push_back(IndexRecord::make_add(info, name));
  if (auto appended = locked->append(records); !appended) {
    (void)fs_->remove(cur_path);  // not acknowledged: the sender retries
    return std::move(appended).error();
  }
  info.modseq = locked->log.state().highest_modseq();
  const std::uint32_t uidvalidity = locked->log.state().uidvalidity();
  IndexLog log = std::move(locked->log);
  locked->unlock();

  DIRMAIL_TRY(sync_cur_directory(*fs_, cur_dir));
  DIRMAIL_TRY(log.sync());
  store_log().with("folder", folder_dir).with("uid", static_cast<std::uint64_t>(info.uid))
      .with("size", info.size).debug("message stored");
  return AppendResult{uidvalidity, std::move(info)};
}

Result<FolderStatus> FileMailStore::status(const std::string& mailbox_root, std::string_view folder) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  if (auto there = ensure_folder(*fs_, *folder_dir, false); !there) {
    if (there.error().code == ErrorCode::not_found) return FolderStatus{};
    return std::move(there).error();
  }

  auto locked = lock_folder(*fs_, *folders_, *folder_dir, true);
  if (!locked) return std::move(locked).error();
  // While cur/ and new/ keep their times no file came or went: the index is all there is.
  const auto stamp = scan_stamp(*fs_, *folder_dir);
  const bool unchanged = same_files(locked->entry->scanned, stamp);
  FolderRepair skipped;
  auto repair = unchanged ? Result<FolderRepair>(std::move(skipped))
                          : plan_folder_repair(*fs_, *folder_dir, locked->log.state());
  if (!repair) return std::move(repair).error();
  DIRMAIL_TRY(locked->append(repair->records));
  // The repair may have moved files from new/ into cur/: the stamp is taken after it.
  if (!unchanged) locked->entry->scanned = scan_stamp(*fs_, *folder_dir);
  if (locked->log.wants_compaction(options_.compaction_min_dead_records)) DIRMAIL_TRY(locked->log.compact());
  FolderStatus result = locked->log.state().to_status();
  IndexLog log = std::move(locked->log);
  locked->unlock();

  if (!repair->records.empty()) {
    DIRMAIL_TRY(log.sync());
    store_log().with("folder", *folder_dir).with("adopted", static_cast<std::uint64_t>(repair->adopted))
        .with("dropped", static_cast<std::uint64_t>(repair->dropped)).info("index repaired");
  }
  remove_stale_tmp_files(*fs_, *folder_dir, kStaleTmpSeconds);
  return result;
}

Result<std::unique_ptr<MessageReader>> FileMailStore::open_message(const std::string& mailbox_root,
                                                                    std::string_view folder,
                                                                    std::uint32_t uid) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  // No look at the folder first: its lock is not found when it is not there.
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder");
  if (!locked) return std::move(locked).error();
  const IndexedMessage* message = locked->log.state().find(uid);
  if (message == nullptr) return make_error(ErrorCode::not_found, "no message with UID " + std::to_string(uid));
  std::string path = posix::join_path(posix::join_path(*folder_dir, "cur"), message->file);
  auto file = fs_->open(path, OpenMode::read);
  if (!file) {
    if (file.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "message file is gone: " + path);
    return std::move(file).error();
  }
  auto info = (*file)->info();
  if (!info) return std::move(info).error();
  return std::unique_ptr<MessageReader>(std::make_unique<FileMessageReader>(std::move(*file), info->size));
}

Result<void> FileMailStore::set_flags(const std::string& mailbox_root, std::string_view folder,
                                       std::uint32_t uid, std::uint8_t flags) {
  if ((flags & ~kAllFlags) != 0) return make_error(ErrorCode::invalid_argument, "unknown flag bits");
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder");
  if (!locked) return std::move(locked).error();
  const IndexedMessage* message = locked->log.state().find(uid);
  if (message == nullptr) return make_error(ErrorCode::not_found, "no message with UID " + std::to_string(uid));
  if (message->info.flags == flags) return ok_status();
  IndexRecord record = IndexRecord::make_flags(uid, flags, message->info.keywords);
  DIRMAIL_TRY(locked->append({&record, 1}));
  if (locked->log.wants_compaction(options_.compaction_min_dead_records)) DIRMAIL_TRY(locked->log.compact());
  IndexLog log = std::move(locked->log);
  locked->unlock();
  return log.sync();
}

Result<FlagUpdateResult> FileMailStore::update_flags(const std::string& mailbox_root, std::string_view folder,
                                                      std::span<const std::uint32_t> uids, const FlagUpdate& update) {
  if ((update.flags & ~kAllFlags) != 0) return make_error(ErrorCode::invalid_argument, "unknown flag bits");
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder");
  if (!locked) return std::move(locked).error();
  const IndexState& state = locked->log.state();
  std::vector<IndexRecord> records;
  // Removing a keyword the folder never had defines nothing.
  std::vector<std::string> names;
  for (const auto& name : update.keywords) {
    if (!valid_keyword(name)) return make_error(ErrorCode::invalid_argument, "invalid keyword: " + name);
    if (update.mode != FlagUpdate::Mode::remove || keyword_bit(state.keywords(), name)) names.push_back(name);
  }
  auto mask = folder_keyword_mask(state, names, records);
  if (!mask) return std::move(mask).error();

  FlagUpdateResult result;
  std::vector<std::uint32_t> changed;
  for (std::uint32_t uid : uids) {
    const IndexedMessage* message = state.find(uid);
    if (message == nullptr) {
      result.missing.push_back(uid);
      continue;
    }
    if (update.unchanged_since && message->info.modseq > *update.unchanged_since) {
      result.modified.push_back(uid);
      continue;
    }
    std::uint8_t flags = message->info.flags;
    std::uint64_t keywords = message->info.keywords;
    switch (update.mode) {
      case FlagUpdate::Mode::replace:
        flags = update.flags;
        keywords = *mask;
        break;
      case FlagUpdate::Mode::add:
        flags |= update.flags;
        keywords |= *mask;
        break;
      case FlagUpdate::Mode::remove:
        flags &= static_cast<std::uint8_t>(~update.flags);
        keywords &= ~*mask;
        break;
    }
    if (flags == message->info.flags && keywords == message->info.keywords) continue;
    records.push_back(IndexRecord::make_flags(uid, flags, keywords));
    changed.push_back(uid);
  }
  if (changed.empty()) records.clear();  // no keyword is defined for nothing
  DIRMAIL_TRY(locked->append(records));
  for (std::uint32_t uid : changed)
    if (const IndexedMessage* message = state.find(uid)) result.changed.push_back(message->info);
  result.keywords = state.keywords();
  result.highest_modseq = state.highest_modseq();
  if (records.empty()) return result;
  if (locked->log.wants_compaction(options_.compaction_min_dead_records)) DIRMAIL_TRY(locked->log.compact());
  IndexLog log = std::move(locked->log);
  locked->unlock();
  DIRMAIL_TRY(log.sync());
  return result;
}

Result<std::uint32_t> FileMailStore::take_recent(const std::string& mailbox_root, std::string_view folder,
                                                  std::uint32_t uidnext) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return uidnext;  // no such folder
  if (!locked) return std::move(locked).error();
  if (!locked->log.exists()) return uidnext;
  const std::uint32_t first = locked->log.state().first_recent_uid();
  if (first >= uidnext) return first;
  IndexRecord record = IndexRecord::make_recent(uidnext);
  // Not synced, and not counted as a change a session waits for: after a crash the
  // worst is a message shown as \Recent twice.
  DIRMAIL_TRY(locked->log.append({&record, 1}));
  return first;
}

Result<ExpungedSince> FileMailStore::expunged_since(const std::string& mailbox_root, std::string_view folder,
                                                     std::uint64_t modseq) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder");
  if (!locked) return std::move(locked).error();
  return locked->log.state().expunged_since(modseq);
}

Result<void> FileMailStore::expunge(const std::string& mailbox_root, std::string_view folder,
                                     std::span<const std::uint32_t> uids) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return std::move(folder_dir).error();
  if (uids.empty()) return ok_status();

  auto locked = lock_folder(*fs_, *folders_, *folder_dir, false);
  if (!locked && locked.error().code == ErrorCode::not_found) return ok_status();  // no such folder
  if (!locked) return std::move(locked).error();
  if (!locked->log.exists()) return ok_status();
  std::string cur_dir = posix::join_path(*folder_dir, "cur");
  std::vector<IndexRecord> records;
  Status failure;
  for (std::uint32_t uid : uids) {
    const IndexedMessage* message = locked->log.state().find(uid);
    if (message == nullptr) continue;
    std::string path = posix::join_path(cur_dir, message->file);
    if (auto removed = fs_->remove(path); !removed && removed.error().code != ErrorCode::not_found) {
      failure = std::move(removed);
      break;
    }
    records.push_back(IndexRecord::make_expunge(uid));
  }
  if (records.empty()) return failure;
  // The removals must be durable before the index forgets the files; otherwise a crash
  // could bring a file back and status() would adopt an expunged message.
  DIRMAIL_TRY(fs_->sync_directory(cur_dir));
  DIRMAIL_TRY(locked->append(records));
  if (locked->log.wants_compaction(options_.compaction_min_dead_records)) DIRMAIL_TRY(locked->log.compact());
  IndexLog log = std::move(locked->log);
  locked->unlock();
  DIRMAIL_TRY(log.sync());
  store_log().with("folder", *folder_dir).with("count", static_cast<std::uint64_t>(records.size()))
      .info("messages expunged");
  return failure;
}

std::uint64_t FileMailStore::change_count(const std::string& mailbox_root, std::string_view folder) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return 0;
  return folders_->get(*folder_dir)->changes.load(std::memory_order_acquire);
}

std::shared_ptr<void> FileMailStore::watch(const std::string& mailbox_root, std::string_view folder,
                                            std::function<void()> changed) {
  auto folder_dir = folder_path(mailbox_root, folder);
  if (!folder_dir) return nullptr;
  // The handle holds the cache entry, so it cannot be forgotten while watched.
  std::shared_ptr<CachedFolder> entry = folders_->get(*folder_dir);
  std::uint64_t id = 0;
  {
    std::lock_guard lock(entry->watch_mu);
    id = ++entry->next_watcher;
    entry->watchers.emplace(id, std::move(changed));
  }
  return std::shared_ptr<void>(entry.get(), [entry, id](void*) {
    std::lock_guard lock(entry->watch_mu);
    entry->watchers.erase(id);
  });
}

Result<std::uint64_t> FileMailStore::usage(const std::string& mailbox_root) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  auto entries = fs_->list(mailbox_root);
  if (!entries && entries.error().code == ErrorCode::not_found) return std::uint64_t{0};  // no mailbox yet
  if (!entries) return std::move(entries).error();
  std::uint64_t total = 0;
  for (const auto& entry : *entries) {
    if (!entry.directory || !folder_from_directory_name(entry.name)) continue;  // not a folder's directory: not ours
    std::string folder_dir = posix::join_path(mailbox_root, entry.name);
    // Only folders with an index: locking anything else would leave a lock file in it.
    auto index = fs_->stat(posix::join_path(folder_dir, kIndexFileName));
    if (!index || !*index) continue;
    auto locked = lock_folder(*fs_, *folders_, folder_dir, false);
    if (!locked && locked.error().code == ErrorCode::not_found) continue;  // deleted or renamed meanwhile
    if (!locked) return std::move(locked).error();
    const std::uint64_t bytes = locked->log.state().live_bytes();
    total = bytes > UINT64_MAX - total ? UINT64_MAX : total + bytes;
  }
  return total;
}

Result<std::optional<std::string>> FileMailStore::read_user_file(const std::string& mailbox_root,
                                                                  std::string_view name, std::size_t max_size) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  if (!valid_user_file_name(name)) return make_error(ErrorCode::invalid_argument, "not a user file name");
  return read_small_file(*fs_, posix::join_path(mailbox_root, name), max_size);
}

Status FileMailStore::write_user_file(const std::string& mailbox_root, std::string_view name, std::string_view data) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  if (!valid_user_file_name(name)) return make_error(ErrorCode::invalid_argument, "not a user file name");
  DIRMAIL_TRY(ensure_directory(*fs_, mailbox_root));
  // replace_file wants one writer at a time (its pending name is shared).
  auto root_lock = FolderLock::acquire(*fs_, mailbox_root);
  if (!root_lock) return std::move(root_lock).error();
  return replace_file(*fs_, posix::join_path(mailbox_root, name), data);
}

}  // namespace dirmail::store
