#include "dirmail/store/mailbox_limit.hpp"

#include <cstdint>

#include <gtest/gtest.h>

namespace dirmail::store {
namespace {

TEST(MailboxLimit, TheAccountsOwnLimitWinsOverTheServerWideOne) {
  EXPECT_EQ(effective_mailbox_limit(5000, 100000), 5000u);
  EXPECT_EQ(effective_mailbox_limit(0, 100000), 100000u);
  EXPECT_EQ(effective_mailbox_limit(0, 0), 0u);
}

TEST(MailboxLimit, ZeroIsUnlimited) {
  EXPECT_EQ(check_mailbox_limit(0, UINT64_MAX, UINT64_MAX), LimitVerdict::fits);
}

TEST(MailboxLimit, AMailboxAtOrOverItsLimitIsFullEvenForAnUnknownSize) {
  EXPECT_EQ(check_mailbox_limit(1000, 999, 0), LimitVerdict::fits);
  EXPECT_EQ(check_mailbox_limit(1000, 1000, 0), LimitVerdict::mailbox_full);
  EXPECT_EQ(check_mailbox_limit(1000, 5000, 0), LimitVerdict::mailbox_full);
}

TEST(MailboxLimit, AMessageThatWouldOverfillTheMailboxMustWait) {
  EXPECT_EQ(check_mailbox_limit(1000, 600, 400), LimitVerdict::fits);  // exactly full afterwards
  EXPECT_EQ(check_mailbox_limit(1000, 600, 401), LimitVerdict::mailbox_full);
  EXPECT_EQ(check_mailbox_limit(1000, 0, 1000), LimitVerdict::fits);
}

TEST(MailboxLimit, AMessageLargerThanTheWholeLimitNeverFits) {
  EXPECT_EQ(check_mailbox_limit(1000, 0, 1001), LimitVerdict::exceeds_limit);
  EXPECT_EQ(check_mailbox_limit(1000, 1000, 1001), LimitVerdict::exceeds_limit);  // permanent wins
}

TEST(MailboxLimit, HugeFiguresDoNotWrapAround) {
  EXPECT_EQ(check_mailbox_limit(UINT64_MAX, UINT64_MAX - 10, 10), LimitVerdict::fits);
  EXPECT_EQ(check_mailbox_limit(UINT64_MAX, UINT64_MAX - 10, 11), LimitVerdict::mailbox_full);
  EXPECT_EQ(check_mailbox_limit(1000, 10, UINT64_MAX), LimitVerdict::exceeds_limit);
}

}  // namespace
}  // namespace dirmail::store
