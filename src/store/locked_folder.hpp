#pragma once
// Everything held while working on one folder: this process's folder mutex, the
// folder's file lock, and its index log. unlock() releases both locks but keeps the
// log's file open so it can be synced without blocking other writers.
//
// Lock order: the root's lock (folder operations) before folder locks; a thread holds
// more than one folder lock only under the root's lock (rename), in name order.
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "dirmail/base/result.hpp"
#include "folder_cache.hpp"
#include "folder_lock.hpp"
#include "index_log.hpp"

namespace dirmail::store {

struct LockedFolder {
  std::shared_ptr<CachedFolder> entry;
  std::unique_lock<std::mutex> guard;
  FolderLock file_lock;
  IndexLog log;

  void unlock() {
    file_lock.release();
    guard.unlock();
  }

  // Appends to the index and counts the change for sessions waiting on the folder.
  Status append(std::span<const IndexRecord> records) {
    if (records.empty()) return ok_status();  // nothing changed: nobody to wake
    DIRMAIL_TRY(log.append(records));
    entry->changes.fetch_add(1, std::memory_order_release);
    entry->notify_watchers();
    return ok_status();
  }
};

// not_found when the folder is not there (FolderLock::acquire).
Result<LockedFolder> lock_folder(FileSystem& fs, FolderCache& folders, const std::string& folder_dir, bool create);

}  // namespace dirmail::store
