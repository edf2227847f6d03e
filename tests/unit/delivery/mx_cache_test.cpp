#include <gtest/gtest.h>

#include "dirmail/delivery/cached_mx_resolver.hpp"
#include "dirmail/delivery/mx_cache.hpp"

namespace dirmail::delivery {
namespace {

using namespace std::chrono_literals;
using Clock = MxCache::Clock;

MailRoute route(const std::string& domain, std::chrono::seconds ttl, const std::string& host = "mx.example.test") {
  return MailRoute{domain, false, {MailHost{host, 10, {"127.0.0.1"}}}, ttl};
}

const Clock::time_point t0{};

TEST(MxCache, KeptUntilTheTtlWhenShorterThanTheLifetime) {
  MxCache cache(864000s);
  cache.store(route("example.test", 300s), t0);
  EXPECT_TRUE(cache.find("example.test", t0 + 299s).has_value());
  EXPECT_FALSE(cache.find("example.test", t0 + 300s).has_value());
  EXPECT_EQ(cache.size(), 0u);  // an expired entry goes when found
}

TEST(MxCache, KeptUntilTheLifetimeWhenShorterThanTheTtl) {
  MxCache cache(60s);
  cache.store(route("example.test", 86400s), t0);
  EXPECT_TRUE(cache.find("example.test", t0 + 59s).has_value());
  EXPECT_FALSE(cache.find("example.test", t0 + 60s).has_value());
}

TEST(MxCache, LifetimeZeroKeepsNothing) {
  MxCache cache(0s);
  cache.store(route("example.test", 300s), t0);
  EXPECT_FALSE(cache.find("example.test", t0).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(MxCache, RouteWithTtlZeroIsNotKept) {
  MxCache cache(864000s);
  cache.store(route("example.test", 0s), t0);
  EXPECT_FALSE(cache.find("example.test", t0).has_value());
}

TEST(MxCache, InvalidateForgets) {
  MxCache cache(864000s);
  cache.store(route("a.test", 300s), t0);
  cache.store(route("b.test", 300s), t0);
  cache.invalidate("a.test");
  EXPECT_FALSE(cache.find("a.test", t0).has_value());
  EXPECT_TRUE(cache.find("b.test", t0).has_value());
}

TEST(MxCache, StoringAgainReplacesTheRouteAndItsExpiry) {
  MxCache cache(864000s);
  cache.store(route("a.test", 300s, "old.test"), t0);
  cache.store(route("a.test", 30s, "new.test"), t0 + 10s);
  auto kept = cache.find("a.test", t0 + 20s);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->hosts.at(0).name, "new.test");
  EXPECT_FALSE(cache.find("a.test", t0 + 40s).has_value());
}

TEST(MxCache, BoundedSizeDropsExpiredThenSoonestToExpire) {
  MxCache cache(864000s, 3);
  cache.store(route("expired.test", 10s), t0);
  cache.store(route("long.test", 9000s), t0);
  cache.store(route("short.test", 500s), t0);
  cache.store(route("new1.test", 1000s), t0 + 20s);  // full: expired.test goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.find("long.test", t0 + 20s).has_value());
  EXPECT_TRUE(cache.find("short.test", t0 + 20s).has_value());
  cache.store(route("new2.test", 1000s), t0 + 20s);  // full, none expired: short.test goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.find("short.test", t0 + 20s).has_value());
  EXPECT_TRUE(cache.find("long.test", t0 + 20s).has_value());
  EXPECT_TRUE(cache.find("new1.test", t0 + 20s).has_value());
  EXPECT_TRUE(cache.find("new2.test", t0 + 20s).has_value());
}

// Counts its calls; answers from a table (missing: not_found).
class CountingResolver final : public MxResolver {
 public:
  Result<MailRoute> resolve(const std::string& domain) override {
    ++calls;
    if (domain == "fail.test") return make_error(ErrorCode::temporary_failure, "fail.test: timed out");
    return route("example.test", ttl, host);
  }
  int calls = 0;
  std::chrono::seconds ttl{300};
  std::string host = "mx.example.test";
};

struct Cached {
  CountingResolver* inner = nullptr;
  Clock::time_point now{};
  std::unique_ptr<CachedMxResolver> resolver;
};

std::unique_ptr<Cached> make_cached(std::chrono::seconds lifetime) {
  auto c = std::make_unique<Cached>();
  auto inner = std::make_unique<CountingResolver>();
  c->inner = inner.get();
  Cached* raw = c.get();
  c->resolver = std::make_unique<CachedMxResolver>(std::move(inner), lifetime, false, 100,
                                                   [raw] { return raw->now; });
  return c;
}

TEST(CachedMxResolver, SecondLookupComesFromTheCache) {
  auto c = make_cached(864000s);
  ASSERT_TRUE(c->resolver->resolve("example.test").ok());
  auto again = c->resolver->resolve("EXAMPLE.test.");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->hosts.at(0).name, "mx.example.test");
  EXPECT_EQ(c->inner->calls, 1);
}

TEST(CachedMxResolver, AChangedDnsAnswerIsSeenAfterTheTtl) {
  auto c = make_cached(864000s);
  ASSERT_TRUE(c->resolver->resolve("example.test").ok());
  c->inner->host = "new-mx.example.test";
  c->now += 299s;
  EXPECT_EQ(c->resolver->resolve("example.test")->hosts.at(0).name, "mx.example.test");
  c->now += 1s;
  EXPECT_EQ(c->resolver->resolve("example.test")->hosts.at(0).name, "new-mx.example.test");
  EXPECT_EQ(c->inner->calls, 2);
}

TEST(CachedMxResolver, InvalidateAfterAFailureAsksDnsAgain) {
  auto c = make_cached(864000s);
  ASSERT_TRUE(c->resolver->resolve("example.test").ok());
  c->inner->host = "new-mx.example.test";
  c->resolver->invalidate("Example.Test");
  EXPECT_EQ(c->resolver->resolve("example.test")->hosts.at(0).name, "new-mx.example.test");
  EXPECT_EQ(c->inner->calls, 2);
}

TEST(CachedMxResolver, ErrorsAreNotKept) {
  auto c = make_cached(864000s);
  EXPECT_FALSE(c->resolver->resolve("fail.test").ok());
  EXPECT_FALSE(c->resolver->resolve("fail.test").ok());
  EXPECT_EQ(c->inner->calls, 2);
}

TEST(CachedMxResolver, LifetimeZeroAlwaysAsks) {
  auto c = make_cached(0s);
  ASSERT_TRUE(c->resolver->resolve("example.test").ok());
  ASSERT_TRUE(c->resolver->resolve("example.test").ok());
  EXPECT_EQ(c->inner->calls, 2);
}

}  // namespace
}  // namespace dirmail::delivery
