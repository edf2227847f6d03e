#include "dirmail/auth/login_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace dirmail::auth {
namespace {

using namespace std::chrono_literals;
using Clock = LoginLimiterOptions::Clock;

// A clock the test moves by hand.
struct FakeClock {
  Clock::time_point now{std::chrono::hours(1000)};
  std::function<Clock::time_point()> function() {
    return [this] { return now; };
  }
};

LoginLimiterOptions options_with(FakeClock& clock) {
  LoginLimiterOptions options;
  options.failure_window = 600s;
  options.max_failures_per_account = 5;
  options.max_failures_per_ip = 8;
  options.first_delay = 1000ms;
  options.max_delay = 16000ms;
  options.now = clock.function();
  return options;
}

TEST(LoginLimiter, FirstLoginIsCheckedAtOnce) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  LoginAdmission admission = limiter.admit("192.0.2.1", "alice");
  EXPECT_TRUE(admission.check_password());
  EXPECT_EQ(admission.delay, 0ms);
}

TEST(LoginLimiter, DelayDoublesWithEachFailureUpToTheCap) {
  FakeClock clock;
  auto options = options_with(clock);
  options.max_failures_per_account = 100;
  options.max_failures_per_ip = 100;
  LoginLimiter limiter(options);
  std::vector<long> delays;
  for (int i = 0; i < 7; ++i) {
    limiter.record_failure("192.0.2.1", "alice");
    delays.push_back(static_cast<long>(limiter.admit("192.0.2.1", "alice").delay.count()));
  }
  EXPECT_EQ(delays, (std::vector<long>{1000, 2000, 4000, 8000, 16000, 16000, 16000}));
}

TEST(LoginLimiter, AccountBudgetStopsChecksFromEveryAddressUntilTheWindowPasses) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  // Five failures for alice, each from a different address: no address is suspicious
  // on its own, but the account's budget is spent.
  for (int i = 0; i < 5; ++i) {
    std::string ip = "198.51.100." + std::to_string(i);
    if (i > 0) clock.now += 10s;
    ASSERT_TRUE(limiter.admit(ip, "alice").check_password()) << i;
    limiter.record_failure(ip, "alice");
  }
  LoginAdmission blocked = limiter.admit("203.0.113.9", "Alice");  // any case, any address
  EXPECT_FALSE(blocked.check_password());
  EXPECT_EQ(blocked.refusal, LoginRefusal::account_limited);
  EXPECT_EQ(blocked.delay, 16000ms);
  // Other accounts are not affected from a clean address.
  EXPECT_TRUE(limiter.admit("203.0.113.9", "bob").check_password());

  // Still blocked just before the window has passed since the last failure...
  clock.now += 599s;
  EXPECT_FALSE(limiter.admit("203.0.113.9", "alice").check_password());
  // ...and checked again afterwards, with no delay left.
  clock.now += 1s;
  LoginAdmission later = limiter.admit("203.0.113.9", "alice");
  EXPECT_TRUE(later.check_password());
  EXPECT_EQ(later.delay, 0ms);
  EXPECT_EQ(limiter.failures_of_account("alice"), 0);
}

TEST(LoginLimiter, RefusedAttemptsAreNotCountedAgainstTheAccount) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  for (int i = 0; i < 5; ++i) limiter.record_failure("192.0.2." + std::to_string(i), "alice");
  // The caller does not call record_failure for attempts that were never checked, so
  // the count (what reached the directory) stays at the budget.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(limiter.admit("192.0.2.77", "alice").check_password());
  EXPECT_EQ(limiter.failures_of_account("alice"), 5);
}

TEST(LoginLimiter, AddressLimitRefusesEveryAccountFromThatAddress) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  for (int i = 0; i < 8; ++i) limiter.record_failure("192.0.2.1", "user" + std::to_string(i));
  LoginAdmission admission = limiter.admit("192.0.2.1", "somebody-else");
  EXPECT_EQ(admission.refusal, LoginRefusal::address_limited);
  EXPECT_TRUE(limiter.admit("192.0.2.2", "somebody-else").check_password());
  clock.now += 600s;
  EXPECT_TRUE(limiter.admit("192.0.2.1", "somebody-else").check_password());
}

TEST(LoginLimiter, UnknownLoginCountsOnlyAgainstTheAddress) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  limiter.record_failure("192.0.2.1", "");
  EXPECT_EQ(limiter.failures_of_ip("192.0.2.1"), 1);
  EXPECT_EQ(limiter.tracked_accounts(), 0u);
}

TEST(LoginLimiter, SuccessClearsTheAccountButNotTheAddress) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  for (int i = 0; i < 3; ++i) limiter.record_failure("192.0.2.1", "alice");
  limiter.record_success("192.0.2.1", "alice");
  EXPECT_EQ(limiter.failures_of_account("alice"), 0);
  EXPECT_EQ(limiter.failures_of_ip("192.0.2.1"), 3);
  // The address still waits for its own failures.
  EXPECT_EQ(limiter.admit("192.0.2.1", "alice").delay, 4000ms);
}

TEST(LoginLimiter, FailuresOlderThanTheWindowAreForgotten) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  for (int i = 0; i < 4; ++i) limiter.record_failure("192.0.2.1", "alice");
  clock.now += 600s;
  limiter.record_failure("192.0.2.1", "alice");
  EXPECT_EQ(limiter.failures_of_account("alice"), 1);
  EXPECT_EQ(limiter.admit("192.0.2.1", "alice").delay, 1000ms);
}

TEST(LoginLimiter, DomainThresholdSetsTheBudgetBelowItAndWidensTheWindow) {
  FakeClock clock;
  LoginLimiter limiter(options_with(clock));
  limiter.apply_domain_lockout(10, 1800s);
  EXPECT_EQ(limiter.account_budget(), 8);  // 10 - margin 2
  EXPECT_EQ(limiter.window(), 1800s);
  for (int i = 0; i < 7; ++i) limiter.record_failure("192.0.2." + std::to_string(i), "alice");
  EXPECT_TRUE(limiter.admit("192.0.2.99", "alice").check_password());
  limiter.record_failure("192.0.2.99", "alice");
  EXPECT_FALSE(limiter.admit("192.0.2.99", "alice").check_password());
  // After 900 s (our own window) AD would still count them: keep refusing.
  clock.now += 900s;
  EXPECT_FALSE(limiter.admit("192.0.2.100", "alice").check_password());

  limiter.apply_domain_lockout(2, 60s);
  EXPECT_EQ(limiter.account_budget(), 1);  // never below one
  EXPECT_EQ(limiter.window(), 600s);       // never below our own
  limiter.apply_domain_lockout(0, 0s);
  EXPECT_EQ(limiter.account_budget(), 5);  // the setting when the domain never locks
}

TEST(LoginLimiter, MemoryIsBoundedAndTheLeastRecentlyFailedGoFirst) {
  FakeClock clock;
  auto options = options_with(clock);
  options.max_tracked_accounts = 3;
  options.max_tracked_ips = 2;
  LoginLimiter limiter(options);
  limiter.record_failure("192.0.2.1", "a");
  limiter.record_failure("192.0.2.2", "b");
  limiter.record_failure("192.0.2.1", "a");  // a is now the most recent
  limiter.record_failure("192.0.2.3", "c");
  limiter.record_failure("192.0.2.4", "d");  // drops b
  EXPECT_EQ(limiter.tracked_accounts(), 3u);
  EXPECT_EQ(limiter.tracked_ips(), 2u);
  EXPECT_EQ(limiter.failures_of_account("a"), 2);
  EXPECT_EQ(limiter.failures_of_account("b"), 0);
  EXPECT_EQ(limiter.failures_of_account("d"), 1);
}

TEST(LoginLimiter, ConcurrentFailuresAreAllCounted) {
  FakeClock clock;
  auto options = options_with(clock);
  options.max_failures_per_account = 1000000;
  LoginLimiter limiter(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&limiter, t] {
      for (int i = 0; i < 250; ++i) {
        (void)limiter.admit("192.0.2." + std::to_string(t), "alice");
        limiter.record_failure("192.0.2." + std::to_string(t), "alice");
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(limiter.failures_of_account("alice"), 1000);
}

}  // namespace
}  // namespace dirmail::auth
