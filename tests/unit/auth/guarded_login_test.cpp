#include "dirmail/auth/guarded_login.hpp"

#include <gtest/gtest.h>

namespace dirmail::auth {
namespace {

using Verified = Result<std::optional<directory::Account>>;

TEST(GuardedLogin, AccountKeyIgnoresCaseAndDomain) {
  EXPECT_EQ(GuardedLogin::account_key("Alice@Example.Test"), "alice");
  EXPECT_EQ(GuardedLogin::account_key("BOB"), "bob");
  EXPECT_EQ(GuardedLogin::account_key(std::string(1000, 'a')).size(), 256u);
}

TEST(GuardedLogin, WrongPasswordsDelayAndTemporaryFailuresDoNotCount) {
  LoginLimiterOptions o;
  auto now = LoginLimiterOptions::Clock::now();
  o.now = [&] { return now; };
  o.max_failures_per_account = 3;
  o.lockout_margin = 0;
  LoginLimiter limiter(o);

  GuardedLogin first(&limiter, "192.0.2.1", "alice@example.test");
  EXPECT_TRUE(first.may_check());
  EXPECT_EQ(first.delay().count(), 0);
  first.record(Verified(std::optional<directory::Account>()));  // wrong password

  GuardedLogin outage(&limiter, "192.0.2.1", "alice");
  EXPECT_GT(outage.delay().count(), 0);
  outage.record(Verified(make_error(ErrorCode::temporary_failure, "KDC down")));
  EXPECT_EQ(limiter.failures_of_account("alice"), 1);

  for (int i = 0; i < 2; ++i) GuardedLogin(&limiter, "198.51.100.7", "ALICE").record(Verified(std::optional<directory::Account>()));
  GuardedLogin spent(&limiter, "203.0.113.9", "alice");
  EXPECT_FALSE(spent.may_check());  // the account's budget is spent: the directory is not asked
  EXPECT_EQ(spent.refusal(), to_string(LoginRefusal::account_limited));
}

TEST(GuardedLogin, WithoutALimiterEverythingIsChecked) {
  GuardedLogin guard(nullptr, "192.0.2.1", "alice");
  EXPECT_TRUE(guard.may_check());
  EXPECT_EQ(guard.delay().count(), 0);
  guard.record(Verified(std::optional<directory::Account>()));
}

}  // namespace
}  // namespace dirmail::auth

namespace dirmail::auth {
namespace {

TEST(LoginLimiterInFlight, ParallelChecksCannotOverrunTheAccountBudget) {
  LoginLimiterOptions o;
  o.max_failures_per_account = 3;
  o.lockout_margin = 0;
  LoginLimiter limiter(o);
  // Three connections admitted at once, none answered yet: a fourth must wait its turn.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("192.0.2." + std::to_string(i), "alice").check_password());
  EXPECT_EQ(limiter.admit("192.0.2.9", "alice").refusal, LoginRefusal::account_limited);
  // One ended without a verdict (KDC down): its place is free again.
  limiter.record_no_verdict("alice");
  EXPECT_TRUE(limiter.admit("192.0.2.10", "alice").check_password());
}

}  // namespace
}  // namespace dirmail::auth
