#include "dirmail/directory/answer_cache.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

using namespace std::chrono_literals;
using Cache = AnswerCache<std::string>;

TEST(AnswerCache, PositiveAndNegativeAnswersExpireOnTheirOwnTtl) {
  Cache cache({30s, 10s, 100});
  auto t = Cache::Clock::now();
  cache.put("alice", std::string("found"), t);
  cache.put("nobody", std::nullopt, t);
  ASSERT_TRUE(cache.get("alice", t + 29s).has_value());
  EXPECT_EQ(*cache.get("alice", t + 29s)->value, "found");
  auto negative = cache.get("nobody", t + 9s);
  ASSERT_TRUE(negative.has_value());
  EXPECT_FALSE(negative->value.has_value());
  EXPECT_FALSE(cache.get("nobody", t + 10s).has_value());
  EXPECT_FALSE(cache.get("alice", t + 30s).has_value());
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 2u);
}

TEST(AnswerCache, ZeroTtlCachesNothing) {
  Cache cache({0s, 0s, 100});
  cache.put("alice", std::string("found"));
  EXPECT_FALSE(cache.get("alice").has_value());
}

TEST(AnswerCache, StaysWithinItsBound) {
  Cache cache({30s, 30s, 10});
  auto t = Cache::Clock::now();
  for (int i = 0; i < 100; ++i) cache.put("k" + std::to_string(i), std::string("v"), t);
  int present = 0;
  for (int i = 0; i < 100; ++i) present += cache.get("k" + std::to_string(i), t).has_value();
  EXPECT_LE(present, 10);
  EXPECT_TRUE(cache.get("k99", t).has_value());  // the newest survives
}

}  // namespace
}  // namespace dirmail::directory
