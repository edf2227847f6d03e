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
  EXPECT_EQ(content_of(dir / "cluster/role"), "active\n");
  auto role = read_node_role(dir.path());
  ASSERT_TRUE(role && role->has_value());
  EXPECT_EQ(**role, NodeRole::active);

  ASSERT_TRUE(write_node_role(dir.path(), NodeRole::standby));
  EXPECT_EQ(content_of(dir / "cluster/role"), "standby\n");
  role = read_node_role(dir.path());
  ASSERT_TRUE(role && role->has_value());
  EXPECT_EQ(**role, NodeRole::standby);
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
