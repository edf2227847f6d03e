#pragma once
// An MxResolver that answers from an MxCache and asks the resolver behind it on a miss.
// Only complete routes are kept (never an error: a bounce or a retry asks DNS again).
// A route from the cache has its equal-preference hosts shuffled again, so a cached
// route spreads the load as a fresh one does.
#include <functional>
#include <memory>
#include <mutex>
#include <random>

#include "dirmail/delivery/mx_cache.hpp"
#include "dirmail/delivery/mx_resolver.hpp"

namespace dirmail::delivery {

class CachedMxResolver final : public MxResolver {
 public:
  using Clock = MxCache::Clock;

  CachedMxResolver(std::unique_ptr<MxResolver> inner, std::chrono::seconds lifetime,
                   bool shuffle_equal_preferences = true, std::size_t max_entries = MxCache::kDefaultMaxEntries,
                   std::function<Clock::time_point()> now = &Clock::now);

  Result<MailRoute> resolve(const std::string& domain) override;

  // For the runner after a failed delivery to `domain`: the next resolve asks DNS.
  void invalidate(const std::string& domain) override;

  MxCache& cache() { return cache_; }

 private:
  std::unique_ptr<MxResolver> inner_;
  MxCache cache_;
  bool shuffle_;
  std::function<Clock::time_point()> now_;
  std::mutex rng_mutex_;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace dirmail::delivery
