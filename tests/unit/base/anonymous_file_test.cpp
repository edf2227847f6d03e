#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../common/temp_dir.hpp"
#include "dirmail/base/posix_file.hpp"

namespace dirmail::posix {
namespace {

TEST(CreateAnonymousFile, MakesItsFolderAndLeavesNoName) {
  testing::TempDir dir;
  const std::string spool = dir / "data/tmp";
  auto file = create_anonymous_file(spool);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_TRUE(is_directory(spool));
  EXPECT_TRUE(std::filesystem::is_empty(spool));
  ASSERT_TRUE(write_all(file->get(), "spooled bytes", spool).ok());
  auto back = pread_up_to(file->get(), 8, 64, spool);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "bytes");
  auto second = create_anonymous_file(spool);  // each call a file of its own
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*pread_up_to(second->get(), 0, 64, spool), "");
  EXPECT_TRUE(std::filesystem::is_empty(spool));
}

TEST(CreateAnonymousFile, FailsWhereNoFolderCanBe) {
  testing::TempDir dir;
  { std::ofstream(dir / "file") << "x"; }
  EXPECT_FALSE(create_anonymous_file(dir / "file").ok());
  EXPECT_FALSE(create_anonymous_file(dir / "file/tmp").ok());
}

}  // namespace
}  // namespace dirmail::posix
