#pragma once
// Recent directory answers, so that a burst of RCPTs or logins for the same user costs
// one LDAP round trip. Positive answers live cache_ttl, "no such user" answers
// negative_cache_ttl: an ADUC change shows within the TTL without a restart.
// Thread-safe and bounded.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dirmail::directory {

template <typename Value>
class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::seconds positive_ttl{30};
    std::chrono::seconds negative_ttl{10};
    std::size_t max_entries = 100000;
  };
  // nullopt value = a cached "no such user".
  struct Hit {
    std::optional<Value> value;
  };

  explicit AnswerCache(Options options) : options_(options) {}

  void set_options(Options options) {
    std::lock_guard lock(mu_);
    options_ = options;
  }

  std::optional<Hit> get(const std::string& key, Clock::time_point now = Clock::now()) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.expires <= now) {
      ++misses_;
      return std::nullopt;
    }
    ++hits_;
    return Hit{it->second.value};
  }

  void put(const std::string& key, std::optional<Value> value, Clock::time_point now = Clock::now()) {
    std::lock_guard lock(mu_);
    auto ttl = value ? options_.positive_ttl : options_.negative_ttl;
    if (ttl.count() <= 0) return;
    if (entries_.size() >= options_.max_entries) evict_locked(now);
    entries_[key] = Entry{std::move(value), now + ttl};
  }

  void erase(const std::string& key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
  }

  void clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
  }

  std::uint64_t hits() const {
    std::lock_guard lock(mu_);
    return hits_;
  }
  std::uint64_t misses() const {
    std::lock_guard lock(mu_);
    return misses_;
  }

 private:
  struct Entry {
    std::optional<Value> value;
    Clock::time_point expires;
  };

  // Drops expired entries; if that is not enough, an arbitrary half of the rest.
  void evict_locked(Clock::time_point now) {
    std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
    if (entries_.size() < options_.max_entries) return;
    std::size_t drop = entries_.size() / 2 + 1;
    for (auto it = entries_.begin(); it != entries_.end() && drop > 0; --drop) it = entries_.erase(it);
  }

  mutable std::mutex mu_;
  Options options_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace dirmail::directory
