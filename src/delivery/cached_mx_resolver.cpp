#include "dirmail/delivery/cached_mx_resolver.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::delivery {
namespace {

std::string cache_key(const std::string& domain) {
  std::string key = to_lower(domain);
  if (!key.empty() && key.back() == '.') key.pop_back();
  return key;
}

}  // namespace

CachedMxResolver::CachedMxResolver(std::unique_ptr<MxResolver> inner, std::chrono::seconds lifetime,
                                   bool shuffle_equal_preferences, std::size_t max_entries,
                                   std::function<Clock::time_point()> now)
    : inner_(std::move(inner)), cache_(lifetime, max_entries), shuffle_(shuffle_equal_preferences),
      now_(std::move(now)) {}

Result<MailRoute> CachedMxResolver::resolve(const std::string& domain) {
  const std::string key = cache_key(domain);
  if (auto kept = cache_.find(key, now_())) {
    if (shuffle_) {
      std::lock_guard lock(rng_mutex_);
      order_mail_hosts(kept->hosts, &rng_);
    }
    return std::move(*kept);
  }
  auto route = inner_->resolve(domain);
  if (route && route->domain == key) cache_.store(*route, now_());
  return route;
}

void CachedMxResolver::invalidate(const std::string& domain) { cache_.invalidate(cache_key(domain)); }

}  // namespace dirmail::delivery
