#include "dirmail/pop3/maildrop_lease.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

namespace dirmail::pop3 {
namespace {

TEST(MaildropLease, HolderNamesAreSafeForTheStore) {
  EXPECT_EQ(MaildropLease::holder_name("node1", 42, "4e9e02"), "node1/42/4e9e02");
  EXPECT_EQ(MaildropLease::holder_name("my node/x", 42, "s 1"), "my_node_x/42/s_1");
  EXPECT_EQ(MaildropLease::holder_name("", 1, ""), "node/1/session");
}

TEST(MaildropLease, OnlyThisNodesGoneProcessesAreStale) {
  const long own = static_cast<long>(::getpid());
  // This process: its live sessions are kept out in memory first, so a lease of its own is left over.
  EXPECT_TRUE(MaildropLease::stale_holder(MaildropLease::holder_name("node1", own, "s1"), "node1", own));
  // A process of this node that still runs (this test's parent) keeps its lease.
  const long parent = static_cast<long>(::getppid());
  EXPECT_FALSE(MaildropLease::stale_holder(MaildropLease::holder_name("node1", parent, "s1"), "node1", own));
  // A pid that cannot be running (beyond pid_max) is gone.
  EXPECT_TRUE(MaildropLease::stale_holder("node1/2147483647/s1", "node1", own));
  // Another node's sessions are never judged from here, nor are names that do not parse.
  EXPECT_FALSE(MaildropLease::stale_holder(MaildropLease::holder_name("node2", own, "s1"), "node1", own));
  EXPECT_FALSE(MaildropLease::stale_holder("node1/x/s1", "node1", own));
  EXPECT_FALSE(MaildropLease::stale_holder("node1/0/s1", "node1", own));
  EXPECT_FALSE(MaildropLease::stale_holder("node1/1", "node1", own));
}

}  // namespace
}  // namespace dirmail::pop3
