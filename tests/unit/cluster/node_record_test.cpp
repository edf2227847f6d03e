#include "dirmail/cluster/node_record.hpp"

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/cluster/lease_folder.hpp"
#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::cluster {
namespace {

TEST(NodeRecord, RoundTrips) {
  NodeRecord r{"node1", "active", 4, 4242, 1795000000123, {"smtp.max_message_size = 10485760", "log.level = \"info\""}};
  auto back = parse_node_record(format_node_record(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, r);
}

TEST(NodeRecord, RefusesWhatItDidNotWrite) {
  EXPECT_FALSE(parse_node_record("node node1\nstate active\nepoch 4\npid 1\n"));
  EXPECT_FALSE(parse_node_record("node node1\nstate sleeping\nepoch 4\npid 1\nupdated 1\n"));
  EXPECT_FALSE(parse_node_record("node node1\nstate active\nepoch 4\npid 1\nupdated 1\nsetting nothing\n"));
  EXPECT_FALSE(parse_node_record("node node1\nnode node2\nstate active\nepoch 4\npid 1\nupdated 1\n"));
  EXPECT_FALSE(parse_node_record(std::string(kMaxNodeRecordBytes + 1, '\n')));
}

TEST(NodeRecord, DifferencesNameEachSettingOnce) {
  auto d = setting_differences({"a.x = 1", "b.y = \"same\"", "c.z = 3"}, {"a.x = 2", "b.y = \"same\"", "d.w = 4"});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], "a.x: 1 | 2");
  EXPECT_EQ(d[1], "c.z: 3 | (not set)");
  EXPECT_EQ(d[2], "d.w: (not set) | 4");
  EXPECT_TRUE(setting_differences({"a.x = 1"}, {"a.x = 1"}).empty());
}

TEST(LeaseFolder, ReadsTheLeaseTheNewestEpochAndTheNodes) {
  testing::TempDir tmp;
  store::PosixFileSystem fs;
  const std::string dir = tmp / ".dirmail-cluster";
  auto empty = read_shared_cluster_state(fs, dir);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_FALSE(empty->lease);
  EXPECT_EQ(empty->newest_epoch, 0u);
  ASSERT_TRUE(write_node_record(fs, dir, {"node2", "standby", 3, 22, 5, {"a.x = 1"}}));
  ASSERT_TRUE(write_node_record(fs, dir, {"node1", "active", 3, 11, 6, {"a.x = 2"}}));
  ASSERT_TRUE(write_node_record(fs, dir, {"node1", "active", 4, 11, 7, {"a.x = 2"}}));  // replaced
  auto state = read_shared_cluster_state(fs, dir);
  ASSERT_TRUE(state);
  ASSERT_EQ(state->nodes.size(), 2u);
  EXPECT_EQ(state->nodes[0].node, "node1");
  EXPECT_EQ(state->nodes[0].epoch, 4u);
  EXPECT_EQ(state->nodes[1].state, "standby");
  EXPECT_TRUE(state->problems.empty());
}

}  // namespace
}  // namespace dirmail::cluster
