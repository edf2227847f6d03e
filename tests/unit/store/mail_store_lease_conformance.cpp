// The MailStore conformance suite, the maildrop lease (POP3's exclusive access): every
// backend passes these. The fixture and its helpers are in mail_store_conformance.hpp.
#include "dirmail/base/time.hpp"
#include "mail_store_conformance.hpp"

namespace dirmail::store::testing {
namespace {

const auto never_stale = [](std::string_view) { return false; };

ErrorCode code_of(const Status& status) { return status.ok() ? ErrorCode::internal : status.error().code; }

TEST_P(MailStoreConformance, LeaseExcludesAnotherHolderUntilReleased) {
  const auto root = harness_->mailbox_root("alice");
  const auto later = unix_now() + 600;
  ASSERT_TRUE(store_->acquire_lease(root, "node1/100/s1", later, never_stale).ok());
  auto other = store_->acquire_lease(root, "node2/200/s9", later, never_stale);
  EXPECT_EQ(code_of(other), ErrorCode::already_exists);
  EXPECT_NE(other.error().message.find("node1/100/s1"), std::string::npos) << other.error().message;
  // The holder renews it; another store object (a restart, another node) sees it.
  EXPECT_TRUE(store_->acquire_lease(root, "node1/100/s1", later + 60, never_stale).ok());
  auto restarted = harness_->make_store();
  EXPECT_EQ(code_of(restarted->acquire_lease(root, "node2/200/s9", later, never_stale)), ErrorCode::already_exists);
  ASSERT_TRUE(store_->release_lease(root, "node1/100/s1").ok());
  EXPECT_TRUE(restarted->acquire_lease(root, "node2/200/s9", later, never_stale).ok());
}

TEST_P(MailStoreConformance, ExpiredOrStaleLeaseIsTakenOver) {
  const auto root = harness_->mailbox_root("alice");
  ASSERT_TRUE(store_->acquire_lease(root, "node1/100/s1", unix_now() - 1, never_stale).ok());
  EXPECT_TRUE(store_->acquire_lease(root, "node2/200/s9", unix_now() + 600, never_stale).ok());
  // A holder the caller knows to be gone (its process died) loses the lease at once.
  bool asked = false;
  auto stale = [&](std::string_view holder) {
    asked = true;
    return holder == "node2/200/s9";
  };
  EXPECT_TRUE(store_->acquire_lease(root, "node2/300/s1", unix_now() + 600, stale).ok());
  EXPECT_TRUE(asked);
  // The first holder's release after a takeover leaves the new lease alone.
  ASSERT_TRUE(store_->release_lease(root, "node2/200/s9").ok());
  EXPECT_EQ(code_of(store_->acquire_lease(root, "node3/1/s1", unix_now() + 600, never_stale)),
            ErrorCode::already_exists);
}

TEST_P(MailStoreConformance, LeaseHolderNamesAreChecked) {
  const auto root = harness_->mailbox_root("alice");
  for (std::string_view bad : std::initializer_list<std::string_view>{"", "with space", "new\nline", std::string_view("nul\0", 4)})
    EXPECT_EQ(code_of(store_->acquire_lease(root, bad, unix_now() + 60, never_stale)), ErrorCode::invalid_argument)
        << bad;
  EXPECT_EQ(code_of(store_->acquire_lease(root, std::string(201, 'x'), unix_now() + 60, never_stale)),
            ErrorCode::invalid_argument);
  // Releasing a lease nobody holds, in a mailbox not created yet, is fine.
  EXPECT_TRUE(store_->release_lease(harness_->mailbox_root("nobody"), "node1/1/s1").ok());
}

TEST_P(MailStoreConformance, LeaseIsNotAFolder) {
  const auto root = harness_->mailbox_root("alice");
  ASSERT_TRUE(store_->acquire_lease(root, "node1/100/s1", unix_now() + 600, never_stale).ok());
  auto folders = store_->list_folders(root);
  ASSERT_TRUE(folders.ok());
  EXPECT_EQ(*folders, std::vector<std::string>{"INBOX"});
}

}  // namespace
}  // namespace dirmail::store::testing
