#pragma once
// The folders this process used recently: a mutex per folder (threads queue here
// before taking the folder's file lock) and the replayed index, so the next access
// reads only what was appended since. Bounded: the least recently used idle folders
// are forgotten.
#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "index_log.hpp"
#include "summary_log.hpp"

namespace dirmail::store {

struct CachedFolder {
  std::mutex mu;     // guards `index`; taken before the folder's file lock
  IndexCache index;
  SummaryCache summary;  // guarded by `mu` too
  // When the folder's files were last compared with its index (folder_repair.hpp):
  // the modification times of cur/ and new/ then. While they stay the same no file
  // came or went, and status() skips the directory scan (file_mail_store.cpp says
  // when a stamp can be trusted). Guarded by `mu`.
  struct ScanStamp {
    bool valid = false;
    timespec cur{};
    timespec fresh{};  // new/
  } scanned;
  // Grows with every index record this process appends (MailStore::change_count).
  std::atomic<std::uint64_t> changes{0};
  // Called after each such append (MailStore::watch): sessions in IDLE hear of a
  // delivery at once instead of at their next check.
  std::mutex watch_mu;
  std::map<std::uint64_t, std::function<void()>> watchers;  // guarded by watch_mu
  std::uint64_t next_watcher = 0;                           // guarded by watch_mu
  void notify_watchers() {
    std::lock_guard lock(watch_mu);
    for (auto& [id, changed] : watchers) changed();
  }
  std::uint64_t last_use = 0;  // guarded by FolderCache's mutex
};

class FolderCache {
 public:
  explicit FolderCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  std::shared_ptr<CachedFolder> get(const std::string& folder_dir);
  std::size_t size() const;

 private:
  void evict_locked();

  std::size_t capacity_;
  mutable std::mutex mu_;
  std::uint64_t clock_ = 0;
  std::map<std::string, std::shared_ptr<CachedFolder>> folders_;
};

}  // namespace dirmail::store
