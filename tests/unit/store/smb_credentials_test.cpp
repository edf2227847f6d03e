#include "dirmail/store/smb_credentials.hpp"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"

namespace dirmail::store {
namespace {

TEST(SmbCredentials, ReadsSmbclientFormat) {
  auto got = parse_smb_credentials("# mail store\nusername = mailstore\r\npassword = s3cret = x \n\ndomain = EXAMPLE\n", "f");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->username, "mailstore");
  EXPECT_EQ(got->password, "s3cret = x");
  EXPECT_EQ(got->domain, "EXAMPLE");
}

TEST(SmbCredentials, RefusesIncompleteOrUnknownLines) {
  auto missing_password = parse_smb_credentials("username = a\n", "creds");
  ASSERT_FALSE(missing_password.ok());
  EXPECT_EQ(missing_password.error().message, "creds: no password");
  EXPECT_FALSE(parse_smb_credentials("password = a\n", "creds").ok());
  auto unknown = parse_smb_credentials("username = a\npassword = b\nuser = c\n", "creds");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "creds line 3: unknown key \"user\" (username, password, domain)");
  auto no_equals = parse_smb_credentials("username = a\nhunter2\n", "creds");
  ASSERT_FALSE(no_equals.ok());
  EXPECT_EQ(no_equals.error().message.find("hunter2"), std::string::npos);  // never quotes a line
}

TEST(SmbCredentials, FileReadableByOthersIsRefused) {
  testing::TempDir dir;
  const std::string path = dir / "credentials";
  std::ofstream(path) << "username = a\npassword = b\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto refused = read_smb_credentials_file(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::permission_denied);
  EXPECT_NE(refused.error().message.find(path), std::string::npos);
  EXPECT_NE(refused.error().message.find("0644"), std::string::npos);

  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto read = read_smb_credentials_file(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->password, "b");
}

}  // namespace
}  // namespace dirmail::store
