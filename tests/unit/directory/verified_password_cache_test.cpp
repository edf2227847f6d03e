#include "dirmail/directory/verified_password_cache.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

using namespace std::chrono_literals;

TEST(VerifiedPasswordCache, RemembersTheExactPasswordUntilItsTtl) {
  VerifiedPasswordCache cache(300s);
  auto t = VerifiedPasswordCache::Clock::now();
  cache.remember("alice", "right", t);
  EXPECT_TRUE(cache.contains("alice", "right", t + 299s));
  EXPECT_FALSE(cache.contains("alice", "Right", t));
  EXPECT_FALSE(cache.contains("alicer", "ight", t));  // no ambiguity between the two parts
  EXPECT_FALSE(cache.contains("bob", "right", t));
  EXPECT_FALSE(cache.contains("alice", "right", t + 300s));
}

TEST(VerifiedPasswordCache, ForgetDropsEveryEntryOfTheAccount) {
  VerifiedPasswordCache cache(300s);
  cache.remember("alice", "one");
  cache.remember("alice", "two");
  cache.remember("bob", "three");
  cache.forget("alice");
  EXPECT_FALSE(cache.contains("alice", "one"));
  EXPECT_FALSE(cache.contains("alice", "two"));
  EXPECT_TRUE(cache.contains("bob", "three"));
}

TEST(VerifiedPasswordCache, ZeroTtlKeepsNothingAndSizeIsBounded) {
  VerifiedPasswordCache off(0s);
  off.remember("alice", "right");
  EXPECT_FALSE(off.contains("alice", "right"));
  VerifiedPasswordCache small(300s, 10);
  for (int i = 0; i < 100; ++i) small.remember("user" + std::to_string(i), "pw");
  EXPECT_LE(small.size(), 10u);
}

}  // namespace
}  // namespace dirmail::directory
