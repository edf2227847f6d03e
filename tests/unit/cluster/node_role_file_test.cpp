#include "dirmail/cluster/node_role_file.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "../common/temp_dir.hpp"

namespace dirmail::cluster {
namespace {

std::string content_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(NodeRoleFile, NoFileMeansNoRoleYet) {
  testing::TempDir dir;
  auto role = read_node_role(dir.path());
  ASSERT_TRUE(role) << role.error().message;
  EXPECT_FALSE(role->has_value());
}

TEST(NodeRoleFile, PromoteAndDemoteReplaceTheWord) {
  testing::TempDir dir;
  ASSERT_TRUE(write_node_role(dir.path(), NodeRole::active));
  EXPECT_EQ(content_of(dir / "cluster/role"), "active\nboot " + current_boot_id() + "\n");
  auto role = read_node_role(dir.path());
  ASSERT_TRUE(role && role->has_value());
  EXPECT_EQ(**role, NodeRole::active);

  ASSERT_TRUE(write_node_role(dir.path(), NodeRole::standby));
  EXPECT_EQ(content_of(dir / "cluster/role"), "standby\nboot " + current_boot_id() + "\n");
  role = read_node_role(dir.path());
  ASSERT_TRUE(role && role->has_value());
  EXPECT_EQ(**role, NodeRole::standby);
}

TEST(NodeRoleFile, ARoleFromAnEarlierBootIsNotTheEnginesWordNow) {
  testing::TempDir dir;
  ASSERT_FALSE(current_boot_id().empty());
  ASSERT_TRUE(write_node_role(dir.path(), NodeRole::active));
  auto now = read_node_role_this_boot(dir.path());
  ASSERT_TRUE(now && now->has_value());
  EXPECT_EQ(**now, NodeRole::active);

  std::ofstream(dir / "cluster/role") << "active\nboot 00000000-0000-0000-0000-000000000000\n";
  now = read_node_role_this_boot(dir.path());
  ASSERT_TRUE(now) << now.error().message;
  EXPECT_FALSE(now->has_value());
  auto recorded = read_node_role(dir.path());  // dirmailctl cluster role still shows what was written
  ASSERT_TRUE(recorded && recorded->has_value());
  EXPECT_EQ(**recorded, NodeRole::active);

  std::ofstream(dir / "cluster/role") << "active\n";  // no boot line: not from this boot either
  now = read_node_role_this_boot(dir.path());
  ASSERT_TRUE(now);
  EXPECT_FALSE(now->has_value());
}

TEST(NodeRoleFile, IsReadableByADaemonOfAnotherUserWhateverTheUmask) {
  testing::TempDir dir;
  mode_t old = ::umask(077);
  auto st = write_node_role(dir.path(), NodeRole::active);
  ::umask(old);
  ASSERT_TRUE(st) << st.error().message;
  struct stat sb {};
  ASSERT_EQ(::stat((dir / "cluster/role").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0644u);
}

TEST(NodeRoleFile, AnythingElseInTheFileIsAnError) {
  testing::TempDir dir;
  ASSERT_TRUE(write_node_role(dir.path(), NodeRole::active));
  std::ofstream(dir / "cluster/role") << "master\n";
  auto role = read_node_role(dir.path());
  ASSERT_FALSE(role);
  EXPECT_EQ(role.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(role.error().message.find("\"master\""), std::string::npos) << role.error().message;
}

}  // namespace
}  // namespace dirmail::cluster
