#pragma once
// Routes kept for a while to spare DNS queries (the original's MX cache, 864000 s by
// default, delivery.mx_cache_lifetime). An entry lives for the lifetime or the DNS TTL of
// its records, whichever is shorter, and the runner drops it after a failed delivery so
// that the next attempt sees a changed DNS answer at once. Thread-safe; bounded.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "dirmail/delivery/mail_route.hpp"

namespace dirmail::delivery {

class MxCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kDefaultMaxEntries = 10000;

  // lifetime 0: keeps nothing.
  explicit MxCache(std::chrono::seconds lifetime, std::size_t max_entries = kDefaultMaxEntries);

  // The route kept for `domain` (lower case), unless it has expired at `now`.
  std::optional<MailRoute> find(const std::string& domain, Clock::time_point now);
  // Keeps `route` until now + min(lifetime, route.ttl); a route with ttl 0 is not kept.
  // When full, expired entries go first, then the ones closest to expiry.
  void store(const MailRoute& route, Clock::time_point now);
  // Forgets `domain`'s route: after a delivery failure, the next attempt asks DNS.
  void invalidate(const std::string& domain);
  std::size_t size() const;

 private:
  struct Entry {
    MailRoute route;
    Clock::time_point expires;
  };
  void make_room(Clock::time_point now);

  const std::chrono::seconds lifetime_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace dirmail::delivery
