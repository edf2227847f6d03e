#include "dirmail/base/private_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../common/temp_dir.hpp"

namespace dirmail::posix {
namespace {

void put(const std::string& path, const std::string& content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(ReadPrivateFile, ReadsAFileOnlyItsOwnerCanRead) {
  testing::TempDir dir;
  put(dir / "secrets", "alice\tsealed:QUJD\n", 0600);
  auto text = read_private_file(dir / "secrets", 1024);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, "alice\tsealed:QUJD\n");
  put(dir / "readonly", "x", 0400);
  EXPECT_TRUE(read_private_file(dir / "readonly", 1024).ok());
}

TEST(ReadPrivateFile, RefusesGroupOrOtherAccessAndSaysHowToFixIt) {
  testing::TempDir dir;
  for (mode_t mode : {0640, 0604, 0644, 0610, 0601, 0660, 0666}) {
    put(dir / "secrets", "x", mode);
    auto text = read_private_file(dir / "secrets", 1024);
    ASSERT_FALSE(text.ok()) << std::oct << mode;
    EXPECT_EQ(text.error().code, ErrorCode::permission_denied);
    EXPECT_NE(text.error().message.find("chmod 600 " + (dir / "secrets")), std::string::npos) << text.error().message;
  }
}

TEST(ReadPrivateFile, RefusesAFileOfAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  testing::TempDir dir;
  put(dir / "secrets", "x", 0600);
  ASSERT_EQ(::chown((dir / "secrets").c_str(), 12345, 12345), 0);
  auto text = read_private_file(dir / "secrets", 1024);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::permission_denied);
  EXPECT_NE(text.error().message.find("12345"), std::string::npos) << text.error().message;
  EXPECT_NE(text.error().message.find("chown"), std::string::npos) << text.error().message;
}

TEST(ReadPrivateFile, RefusesAFolderAndTooLargeAndMissingFiles) {
  testing::TempDir dir;
  ASSERT_EQ(::mkdir((dir / "folder").c_str(), 0700), 0);
  auto folder = read_private_file(dir / "folder", 1024);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code, ErrorCode::permission_denied);

  put(dir / "big", std::string(100, 'x'), 0600);
  EXPECT_TRUE(read_private_file(dir / "big", 100).ok());
  auto big = read_private_file(dir / "big", 99);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::limit_exceeded);

  auto missing = read_private_file(dir / "missing", 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(dir / "missing"), std::string::npos) << missing.error().message;
}

TEST(WritePrivateFile, WritesMode0600WhateverTheUmask) {
  testing::TempDir dir;
  mode_t old = ::umask(0);
  auto st = write_private_file(dir / "key", "secret\n");
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(mode_of(dir / "key"), 0600u);
  auto back = read_private_file(dir / "key", 1024);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, "secret\n");
}

TEST(WritePrivateFile, ReplacesAnOpenFileAndTightensItsMode) {
  testing::TempDir dir;
  put(dir / "secrets", "old content that is longer", 0644);
  ASSERT_TRUE(write_private_file(dir / "secrets", "new").ok());
  EXPECT_EQ(mode_of(dir / "secrets"), 0600u);
  auto back = read_private_file(dir / "secrets", 1024);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, "new");
  // Only the file itself is left: no temporary beside it.
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++count;
    EXPECT_EQ(entry.path().filename(), "secrets");
  }
  EXPECT_EQ(count, 1);
}

TEST(WritePrivateFile, MissingFolderIsAnErrorAndLeavesNothing) {
  testing::TempDir dir;
  auto st = write_private_file(dir / "no/such/folder/key", "x");
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace dirmail::posix
