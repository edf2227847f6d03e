#include "dirmail/directory/domain_lockout_policy.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

using namespace std::chrono_literals;

LdapEntry head(std::vector<std::pair<std::string, std::vector<std::string>>> attributes) {
  return LdapEntry{"DC=corp,DC=example,DC=test", std::move(attributes)};
}

TEST(DomainLockoutPolicy, ReadsAdsNegativeHundredNanosecondIntervals) {
  auto policy = parse_domain_lockout_policy(head({{"lockoutThreshold", {"10"}},
                                                  {"lockOutObservationWindow", {"-18000000000"}},
                                                  {"lockoutDuration", {"-6000000000"}}}));
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->lockout_threshold, 10);
  EXPECT_TRUE(policy->locks_accounts());
  EXPECT_EQ(policy->observation_window, 1800s);
  EXPECT_EQ(policy->lockout_duration, 600s);
  EXPECT_FALSE(policy->locked_until_unlocked);
}

TEST(DomainLockoutPolicy, AttributeNamesAreCaseInsensitive) {
  auto policy = parse_domain_lockout_policy(head({{"LOCKOUTTHRESHOLD", {"3"}}, {"lockoutobservationwindow", {"-600000000"}}}));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->lockout_threshold, 3);
  EXPECT_EQ(policy->observation_window, 60s);
}

TEST(DomainLockoutPolicy, MissingAttributesMeanNoLockout) {
  auto policy = parse_domain_lockout_policy(head({}));
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->lockout_threshold, 0);
  EXPECT_FALSE(policy->locks_accounts());
  EXPECT_EQ(policy->observation_window, 0s);
}

TEST(DomainLockoutPolicy, NeverMeansUntilAnAdministratorUnlocks) {
  auto policy = parse_domain_lockout_policy(
      head({{"lockoutThreshold", {"5"}}, {"lockoutDuration", {"-9223372036854775808"}}}));
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->locked_until_unlocked);
}

TEST(DomainLockoutPolicy, PartialSecondsRoundUp) {
  auto duration = parse_ad_duration("-15000000");  // 1.5 s
  ASSERT_TRUE(duration.ok());
  EXPECT_EQ(duration->seconds, 2s);
  EXPECT_EQ(parse_ad_duration("0")->seconds, 0s);
}

TEST(DomainLockoutPolicy, MalformedValuesNameTheAttribute) {
  for (const char* bad : {"", "-", "abc", "1800", "-1e9", "--5", "-9223372036854775809", "-99999999999999999999999"}) {
    auto policy = parse_domain_lockout_policy(head({{"lockoutDuration", {bad}}}));
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_EQ(policy.error().code, ErrorCode::protocol_error);
    EXPECT_NE(policy.error().message.find("lockoutDuration"), std::string::npos) << policy.error().message;
  }
  const std::string too_long(100, '9');
  for (const char* bad : {"-1", "x", "1000001", too_long.c_str()}) {
    auto policy = parse_domain_lockout_policy(head({{"lockoutThreshold", {bad}}}));
    EXPECT_FALSE(policy.ok()) << bad;
  }
}

}  // namespace
}  // namespace dirmail::directory
