#include "dirmail/cluster/lease_record.hpp"

#include <gtest/gtest.h>

namespace dirmail::cluster {
namespace {

TEST(LeaseRecord, RoundTripsAtAFixedSize) {
  LeaseRecord r{42, "node-1.corp", 4242, "c6d05357-2091-4c5d-87e2-a991cb3570e3", 10000, 7, 1795000000123, false};
  auto text = format_lease_record(r);
  EXPECT_EQ(text.size(), kLeaseRecordBytes);
  auto back = parse_lease_record(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, r);
  r.released = true;
  r.sequence = 8;
  back = parse_lease_record(format_lease_record(r));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->released);
  EXPECT_EQ(format_lease_record(r).size(), text.size());  // a renewal rewrites the same bytes
}

TEST(LeaseRecord, ATornOrForeignFileIsNoRecord) {
  auto text = format_lease_record({3, "node1", 10, "-", 4000, 2, 5, false});
  for (std::size_t cut : {0ul, 5ul, 20ul, 40ul}) EXPECT_FALSE(parse_lease_record(text.substr(0, cut))) << cut;
  EXPECT_FALSE(parse_lease_record("epoch 1\nholder n\npid 1\nboot -\nlease_time 4000\nsequence 1\nrenewed 1\nstate held\nepoch 2\n"));
  EXPECT_FALSE(parse_lease_record("epoch 1\nholder n\npid 1\nboot -\nlease_time 4000\nsequence 1\nrenewed 1\nstate maybe\n"));
  EXPECT_FALSE(parse_lease_record("epoch 0\nholder n\npid 1\nboot -\nlease_time 4000\nsequence 1\nrenewed 1\nstate held\n"));
  EXPECT_FALSE(parse_lease_record("epoch x\nholder n\npid 1\nboot -\nlease_time 4000\nsequence 1\nrenewed 1\nstate held\n"));
  EXPECT_FALSE(parse_lease_record("epoch 1\nholder a b\npid 1\nboot -\nlease_time 4000\nsequence 1\nrenewed 1\nstate held\n"));
  EXPECT_FALSE(parse_lease_record("epoch 1\nholder n\npid 1\nboot -\nlease_time 4000\nsequence 1\nrenewed 1\nstate held\ncolour blue\n"));
  EXPECT_FALSE(parse_lease_record(std::string(kLeaseRecordBytes + 1, '\n')));
  // Without the holder's boot id or lease time (an older record): not a record a taker can judge.
  EXPECT_FALSE(parse_lease_record("epoch 1\nholder n\npid 1\nsequence 1\nrenewed 1\nstate held\n"));
}

TEST(LeaseRecord, NodeNamesAreReadBack) {
  EXPECT_TRUE(check_node_name("node1"));
  EXPECT_FALSE(check_node_name(""));
  EXPECT_FALSE(check_node_name("two words"));
  EXPECT_FALSE(check_node_name(std::string(65, 'n')));
  EXPECT_FALSE(check_node_name("tab\there"));
}

}  // namespace
}  // namespace dirmail::cluster
