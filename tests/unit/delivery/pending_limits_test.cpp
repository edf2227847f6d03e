#include "dirmail/delivery/pending_limits.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

constexpr std::int64_t kArrival = 1'700'000'000;
constexpr std::int64_t kFourHours = 4 * 3600;

queue::Envelope envelope(std::vector<std::string> notify = {}) {
  queue::Envelope e;
  e.sender = "alice@example.test";
  e.received_at = kArrival;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, notify.size()); ++i)
    e.recipients.push_back("r" + std::to_string(i) + "@example.org");
  for (auto& n : notify) e.recipient_dsn.push_back({n, ""});
  return e;
}

TEST(PendingLimits, DefaultsAreSendmailsQueuewarnAndPostfixsLifetime) {
  PendingLimits limits;
  EXPECT_EQ(limits.delay_notice_after.count(), 4 * 3600);
  EXPECT_EQ(limits.max_queue_lifetime.count(), 5 * 24 * 3600);
}

TEST(PendingLimits, NoticeIsDueOnceTheThresholdHasPassedSinceArrival) {
  PendingLimits limits;
  auto e = envelope();
  EXPECT_FALSE(delay_notice_due(limits, e, 0, std::nullopt, kArrival + kFourHours - 1));
  EXPECT_TRUE(delay_notice_due(limits, e, 0, std::nullopt, kArrival + kFourHours));
  // The first failed attempt does not restart the clock: the message's age counts.
  queue::RetryState retry;
  retry.first_attempt_at = kArrival + 3 * 3600;
  EXPECT_TRUE(delay_notice_due(limits, e, 0, retry, kArrival + kFourHours));
}

TEST(PendingLimits, OneNoticePerRecipientEver) {
  PendingLimits limits;
  queue::RetryState retry;
  retry.first_attempt_at = kArrival;
  retry.delay_notified_at = kArrival + kFourHours;
  EXPECT_FALSE(delay_notice_due(limits, envelope(), 0, retry, kArrival + 3 * kFourHours));
}

TEST(PendingLimits, NotifyDecidesWhoIsTold) {
  PendingLimits limits;
  auto e = envelope({"", "DELAY", "FAILURE,DELAY", "FAILURE", "NEVER", "SUCCESS"});
  const std::int64_t late = kArrival + kFourHours;
  // No NOTIFY counts as FAILURE,DELAY (RFC 3461 §4.1 lets the MTA choose).
  EXPECT_TRUE(delay_notice_due(limits, e, 0, std::nullopt, late));
  EXPECT_TRUE(delay_notice_due(limits, e, 1, std::nullopt, late));
  EXPECT_TRUE(delay_notice_due(limits, e, 2, std::nullopt, late));
  EXPECT_FALSE(delay_notice_due(limits, e, 3, std::nullopt, late));
  EXPECT_FALSE(delay_notice_due(limits, e, 4, std::nullopt, late));
  EXPECT_FALSE(delay_notice_due(limits, e, 5, std::nullopt, late));
}

TEST(PendingLimits, NeverToTheNullSenderNorForJournalCopies) {
  PendingLimits limits;
  const std::int64_t late = kArrival + kFourHours;
  auto bounce = envelope();
  bounce.sender.clear();
  EXPECT_FALSE(delay_notice_due(limits, bounce, 0, std::nullopt, late));

  auto journaled = envelope({"", ""});
  journaled.journal_copies = 1;  // the last recipient is the journal address
  EXPECT_TRUE(delay_notice_due(limits, journaled, 0, std::nullopt, late));
  EXPECT_FALSE(delay_notice_due(limits, journaled, 1, std::nullopt, late));
}

TEST(PendingLimits, ZeroTurnsNoticesOff) {
  PendingLimits limits;
  limits.delay_notice_after = std::chrono::seconds(0);
  EXPECT_FALSE(delay_notice_due(limits, envelope(), 0, std::nullopt, kArrival + 365 * 86400));
}

TEST(PendingLimits, WithoutAnArrivalTimeTheFirstFailedAttemptCounts) {
  auto e = envelope();
  e.received_at = 0;
  queue::RetryState retry;
  retry.first_attempt_at = kArrival;
  EXPECT_EQ(pending_since(e, retry), kArrival);
  EXPECT_EQ(pending_since(e, std::nullopt), 0);
  PendingLimits limits;
  EXPECT_TRUE(delay_notice_due(limits, e, 0, retry, kArrival + kFourHours));
  EXPECT_FALSE(delay_notice_due(limits, e, 0, std::nullopt, kArrival + kFourHours));  // age unknown
}

TEST(PendingLimits, LocalDeferralsExpireAfterTheQueueLifetime) {
  PendingLimits limits;
  const std::int64_t lifetime = 5 * 86400;
  EXPECT_FALSE(queue_lifetime_expired(limits, kArrival, kArrival + lifetime - 1));
  EXPECT_TRUE(queue_lifetime_expired(limits, kArrival, kArrival + lifetime));
  EXPECT_FALSE(queue_lifetime_expired(limits, 0, kArrival + 10 * lifetime));  // age unknown
}

TEST(PendingLimits, ExpiredStatusKeepsTheMailboxsTrouble) {
  EXPECT_EQ(expired_status("4.2.2"), "5.2.2");  // mailbox full
  EXPECT_EQ(expired_status("4.2.3"), "5.2.3");  // larger than the mailbox limit
  EXPECT_EQ(expired_status("4.4.3"), "5.4.7");  // directory unreachable: delivery time expired
  EXPECT_EQ(expired_status("4.3.0"), "5.4.7");
  EXPECT_EQ(expired_status(""), "5.4.7");
}

}  // namespace
}  // namespace dirmail::delivery
