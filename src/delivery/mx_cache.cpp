#include "dirmail/delivery/mx_cache.hpp"

#include <algorithm>

namespace dirmail::delivery {

MxCache::MxCache(std::chrono::seconds lifetime, std::size_t max_entries)
    : lifetime_(std::max(lifetime, std::chrono::seconds(0))), max_entries_(std::max<std::size_t>(max_entries, 1)) {}

std::optional<MailRoute> MxCache::find(const std::string& domain, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(domain);
  if (it == entries_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.route;
}

void MxCache::store(const MailRoute& route, Clock::time_point now) {
  const auto keep = std::min(lifetime_, route.ttl);
  if (keep <= std::chrono::seconds(0)) return;
  std::lock_guard lock(mutex_);
  auto it = entries_.find(route.domain);
  if (it != entries_.end()) {
    it->second = Entry{route, now + keep};
    return;
  }
  if (entries_.size() >= max_entries_) make_room(now);
  entries_.emplace(route.domain, Entry{route, now + keep});
}

void MxCache::make_room(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& e) { return now >= e.second.expires; });
  if (entries_.size() < max_entries_) return;
  auto soonest = std::min_element(entries_.begin(), entries_.end(),
                                  [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
  entries_.erase(soonest);
}

void MxCache::invalidate(const std::string& domain) {
  std::lock_guard lock(mutex_);
  entries_.erase(domain);
}

std::size_t MxCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace dirmail::delivery
