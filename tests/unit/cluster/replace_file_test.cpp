#include "dirmail/cluster/replace_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

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

TEST(ReplaceFile, ReplacesTheWholeFileWithTheGivenMode) {
  testing::TempDir dir;
  std::ofstream(dir / "keepalived.conf") << "old content that is longer than the new one\n";
  mode_t old = ::umask(077);
  auto st = replace_file(dir / "keepalived.conf", "new\n", 0644);
  ::umask(old);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(content_of(dir / "keepalived.conf"), "new\n");
  struct stat sb {};
  ASSERT_EQ(::stat((dir / "keepalived.conf").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0644u);
}

TEST(ReplaceFile, NeverWritesThroughALinkPlantedAtTheTemporaryName) {
  // A root hook writing into a folder another user owns must not be turned against
  // another file.
  testing::TempDir dir;
  std::ofstream(dir / "victim") << "precious\n";
  std::string temporary = dir / ("role.tmp." + std::to_string(::getpid()));
  ASSERT_EQ(::symlink((dir / "victim").c_str(), temporary.c_str()), 0);
  auto st = replace_file(dir / "role", "active\n", 0644);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(content_of(dir / "victim"), "precious\n");
  EXPECT_EQ(content_of(dir / "role"), "active\n");
}

TEST(ReplaceFile, AMissingFolderIsAnErrorNamingThePath) {
  testing::TempDir dir;
  auto st = replace_file(dir / "no-such-folder/keepalived.conf", "x\n", 0644);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("no-such-folder"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace dirmail::cluster
