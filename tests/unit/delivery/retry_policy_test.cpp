#include "dirmail/delivery/retry_policy.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000;

DeliveryResult refusal(std::string enhanced = "4.2.1") {
  DeliveryResult r;
  r.outcome = DeliveryOutcome::temporary;
  r.stage = SmtpStage::rcpt;
  SmtpReply reply;
  reply.code = 450;
  reply.enhanced = enhanced;
  reply.lines = {enhanced.empty() ? "try again later" : enhanced + " try again later"};
  r.reply = reply;
  return r;
}

DeliveryResult without_reply(DeliveryOutcome outcome, std::string reason) {
  DeliveryResult r;
  r.outcome = outcome;
  r.stage = outcome == DeliveryOutcome::host_unreachable ? SmtpStage::connect : SmtpStage::data_end;
  r.reason = std::move(reason);
  return r;
}

TEST(RetryPolicy, DefaultsAreTheOriginals) {
  RetryPolicy p;
  EXPECT_EQ(p.interval.count(), 120);
  EXPECT_EQ(p.refusal_retries, 9u);
  EXPECT_EQ(p.line_fault_period.count(), 8 * 3600);
  EXPECT_EQ(p.unreachable_period.count(), 24 * 3600);
  EXPECT_EQ(p.backoff, RetryBackoff::fixed);
}

TEST(RetryPolicy, RefusalsAreRetriedNineTimesThenBounced) {
  RetryPolicy p;
  queue::RetryState s;
  std::int64_t now = kT0;
  for (int attempt = 1; attempt <= 10; ++attempt) {
    auto d = decide_retry(p, s, refusal(), now);
    s = d.state;
    EXPECT_EQ(s.refusals, static_cast<std::uint32_t>(attempt));
    if (attempt <= 9) {
      ASSERT_FALSE(d.give_up) << "attempt " << attempt;
      EXPECT_EQ(s.next_attempt_at, now + 120);
      now = s.next_attempt_at;
    } else {
      ASSERT_TRUE(d.give_up);
      EXPECT_EQ(d.status, "4.2.1");  // the peer's own status
      EXPECT_NE(d.reason.find("refused the message 10 times"), std::string::npos) << d.reason;
      EXPECT_NE(d.reason.find("450 4.2.1 try again later"), std::string::npos) << d.reason;
    }
  }
  EXPECT_EQ(s.first_attempt_at, kT0);
  EXPECT_EQ(s.attempts, 10u);
}

TEST(RetryPolicy, RefusalWithoutEnhancedStatusBouncesWith447) {
  RetryPolicy p;
  p.refusal_retries = 0;
  auto d = decide_retry(p, {}, refusal(""), kT0);
  ASSERT_TRUE(d.give_up);
  EXPECT_EQ(d.status, "4.4.7");
}

TEST(RetryPolicy, PermanentFailureBouncesAtOnce) {
  DeliveryResult r;
  r.outcome = DeliveryOutcome::permanent;
  r.stage = SmtpStage::rcpt;
  r.reply = SmtpReply{550, "5.1.1", {"5.1.1 no such user"}};
  auto d = decide_retry(RetryPolicy{}, {}, r, kT0);
  ASSERT_TRUE(d.give_up);
  EXPECT_EQ(d.status, "5.1.1");
  EXPECT_EQ(d.state.attempts, 1u);

  r.reply = SmtpReply{554, "", {"go away"}};
  EXPECT_EQ(decide_retry(RetryPolicy{}, {}, r, kT0).status, "5.0.0");
}

TEST(RetryPolicy, LineFaultsAreRetriedForEightHoursFromTheFirst) {
  RetryPolicy p;
  auto fault = without_reply(DeliveryOutcome::line_fault, "timeout waiting for the reply to the final dot");
  auto d = decide_retry(p, {}, fault, kT0);
  ASSERT_FALSE(d.give_up);
  EXPECT_EQ(d.state.line_fault_since, kT0);
  EXPECT_EQ(d.state.next_attempt_at, kT0 + 120);

  // Still failing just before the end of the period: one more try, at the end at the latest.
  auto before_end = decide_retry(p, d.state, fault, kT0 + 8 * 3600 - 60);
  ASSERT_FALSE(before_end.give_up);
  EXPECT_EQ(before_end.state.next_attempt_at, kT0 + 8 * 3600);
  EXPECT_EQ(before_end.state.line_fault_since, kT0);

  auto at_end = decide_retry(p, before_end.state, fault, kT0 + 8 * 3600);
  ASSERT_TRUE(at_end.give_up);
  EXPECT_EQ(at_end.status, "4.4.2");
  EXPECT_NE(at_end.reason.find("failed for 8 h"), std::string::npos) << at_end.reason;
  EXPECT_NE(at_end.reason.find("timeout waiting"), std::string::npos) << at_end.reason;
}

TEST(RetryPolicy, UnreachableHostIsRetriedForTwentyFourHours) {
  RetryPolicy p;
  auto down = without_reply(DeliveryOutcome::host_unreachable, "connection refused");
  queue::RetryState s;
  std::int64_t now = kT0;
  int attempts = 0;
  for (;;) {
    auto d = decide_retry(p, s, down, now);
    ++attempts;
    s = d.state;
    if (d.give_up) {
      EXPECT_EQ(d.status, "4.4.1");
      break;
    }
    ASSERT_LE(s.next_attempt_at, kT0 + 24 * 3600);
    now = s.next_attempt_at;
  }
  EXPECT_EQ(now, kT0 + 24 * 3600);
  EXPECT_EQ(attempts, 24 * 3600 / 120 + 1);
}

TEST(RetryPolicy, EachClassIsJudgedByItsOwnLimit) {
  RetryPolicy p;
  auto down = without_reply(DeliveryOutcome::host_unreachable, "no route to host");
  // Unreachable for 10 h: far past the line-fault period, yet within its own 24 h.
  auto d = decide_retry(p, {}, down, kT0);
  d = decide_retry(p, d.state, down, kT0 + 10 * 3600);
  ASSERT_FALSE(d.give_up);
  // A first line fault now starts its own 8 h.
  auto fault = without_reply(DeliveryOutcome::line_fault, "connection reset");
  d = decide_retry(p, d.state, fault, kT0 + 10 * 3600 + 120);
  ASSERT_FALSE(d.give_up);
  EXPECT_EQ(d.state.line_fault_since, kT0 + 10 * 3600 + 120);
  EXPECT_EQ(d.state.unreachable_since, kT0);
  // The unreachable clock kept running: an unreachable attempt after 24 h ends it.
  d = decide_retry(p, d.state, down, kT0 + 24 * 3600);
  ASSERT_TRUE(d.give_up);
  EXPECT_EQ(d.status, "4.4.1");
}

TEST(RetryPolicy, ExponentialBackoffDoublesUpToTheCap) {
  RetryPolicy p;
  p.backoff = RetryBackoff::exponential;
  p.interval = std::chrono::seconds(60);
  p.max_interval = std::chrono::seconds(600);
  p.refusal_retries = 100;
  queue::RetryState s;
  std::int64_t now = kT0;
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 7; ++i) {
    auto d = decide_retry(p, s, refusal(), now);
    ASSERT_FALSE(d.give_up);
    waits.push_back(d.state.next_attempt_at - now);
    s = d.state;
    now = s.next_attempt_at;
  }
  EXPECT_EQ(waits, (std::vector<std::int64_t>{60, 120, 240, 480, 600, 600, 600}));
}

TEST(RetryPolicy, BackoffNeverPassesTheEndOfThePeriod) {
  RetryPolicy p;
  p.backoff = RetryBackoff::exponential;
  p.interval = std::chrono::seconds(3600);
  p.max_interval = std::chrono::seconds(86400);
  auto fault = without_reply(DeliveryOutcome::line_fault, "timeout");
  queue::RetryState s;
  s.attempts = 5;  // the next wait would be a day (the cap)
  s.first_attempt_at = kT0;
  s.line_fault_since = kT0;
  auto d = decide_retry(p, s, fault, kT0 + 3600);
  ASSERT_FALSE(d.give_up);
  EXPECT_EQ(d.state.next_attempt_at, kT0 + 8 * 3600);
}

TEST(RetryPolicy, ZeroPeriodBouncesTheFirstFaultOfItsClass) {
  RetryPolicy p;
  p.unreachable_period = std::chrono::seconds(0);
  auto d = decide_retry(p, {}, without_reply(DeliveryOutcome::host_unreachable, "refused"), kT0);
  EXPECT_TRUE(d.give_up);
  EXPECT_EQ(d.status, "4.4.1");
}

// What a delay notice says about a recipient still being retried: the status of its
// last failure and when the schedule will give up if it goes on failing that way.
TEST(RetryPolicy, RetriedAttemptsTellTheDelayNoticesStatusAndEnd) {
  RetryPolicy p;  // 120 s, 9 refusals, 8 h line faults, 24 h unreachable
  auto first = decide_retry(p, {}, refusal("4.2.1"), kT0);
  ASSERT_FALSE(first.give_up);
  EXPECT_EQ(first.status, "4.2.1");
  EXPECT_EQ(first.gives_up_at, kT0 + 9 * 120);  // the 10th refusal, 9 waits later
  auto third = decide_retry(p, decide_retry(p, first.state, refusal(""), kT0 + 120).state, refusal(""), kT0 + 240);
  EXPECT_EQ(third.status, "4.0.0");  // no enhanced code from the peer
  EXPECT_EQ(third.gives_up_at, kT0 + 9 * 120);

  auto fault = decide_retry(p, {}, without_reply(DeliveryOutcome::line_fault, "reset"), kT0);
  EXPECT_EQ(fault.status, "4.4.2");
  EXPECT_EQ(fault.gives_up_at, kT0 + 8 * 3600);
  auto down = decide_retry(p, {}, without_reply(DeliveryOutcome::host_unreachable, "refused"), kT0 + 60);
  EXPECT_EQ(down.status, "4.4.1");
  EXPECT_EQ(down.gives_up_at, kT0 + 60 + 24 * 3600);

  p.backoff = RetryBackoff::exponential;
  p.interval = std::chrono::seconds(60);
  p.max_interval = std::chrono::seconds(200);
  p.refusal_retries = 3;
  auto backoff = decide_retry(p, {}, refusal(), kT0);
  EXPECT_EQ(backoff.gives_up_at, kT0 + 60 + 120 + 200);  // attempts 2, 3 and the last, 4
}

TEST(RetryPolicy, DeliveredChangesNothing) {
  queue::RetryState s;
  s.attempts = 3;
  s.first_attempt_at = kT0;
  DeliveryResult ok;
  ok.outcome = DeliveryOutcome::delivered;
  auto d = decide_retry(RetryPolicy{}, s, ok, kT0 + 500);
  EXPECT_FALSE(d.give_up);
  EXPECT_EQ(d.state, s);
}

TEST(RetryPolicy, BackoffNames) {
  EXPECT_EQ(*parse_retry_backoff("fixed"), RetryBackoff::fixed);
  EXPECT_EQ(*parse_retry_backoff("exponential"), RetryBackoff::exponential);
  EXPECT_FALSE(parse_retry_backoff("linear").ok());
}

}  // namespace
}  // namespace dirmail::delivery
