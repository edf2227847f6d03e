#include "folder_cache.hpp"

namespace dirmail::store {

std::shared_ptr<CachedFolder> FolderCache::get(const std::string& folder_dir) {
  std::lock_guard lock(mu_);
  auto& entry = folders_[folder_dir];
  if (!entry) entry = std::make_shared<CachedFolder>();
  entry->last_use = ++clock_;
  auto result = entry;
  if (folders_.size() > capacity_) evict_locked();
  return result;
}

std::size_t FolderCache::size() const {
  std::lock_guard lock(mu_);
  return folders_.size();
}

void FolderCache::evict_locked() {
  // Only folders nobody is using can go (use_count 1: held by the map alone).
  while (folders_.size() > capacity_) {
    auto oldest = folders_.end();
    for (auto it = folders_.begin(); it != folders_.end(); ++it) {
      if (it->second.use_count() != 1) continue;
      if (oldest == folders_.end() || it->second->last_use < oldest->second->last_use) oldest = it;
    }
    if (oldest == folders_.end()) return;
    folders_.erase(oldest);
  }
}

}  // namespace dirmail::store
