#include "dirmail/directory/password_hash.hpp"

#include <gtest/gtest.h>

#include "dirmail/directory/local_directory.hpp"

namespace dirmail::directory {
namespace {

TEST(PasswordHash, IsArgon2idAndDoesNotContainThePassword) {
  auto hash = hash_password("correct horse", PasswordHashCost::minimum());
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password_hash(*hash, "correct horse"));
  EXPECT_FALSE(verify_password_hash(*hash, "correct horse "));
  EXPECT_FALSE(verify_password_hash(*hash, "Correct horse"));
  EXPECT_FALSE(verify_password_hash(*hash, ""));
}

TEST(PasswordHash, SaltsEveryHash) {
  auto first = hash_password("same", PasswordHashCost::minimum());
  auto second = hash_password("same", PasswordHashCost::minimum());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(verify_password_hash(*second, "same"));
}

TEST(PasswordHash, DefaultCostIsLibsodiumInteractive) {
  LocalDirectoryOptions defaults;
  EXPECT_EQ(defaults.hash_cost.opslimit, PasswordHashCost::interactive().opslimit);
  EXPECT_EQ(defaults.hash_cost.memlimit, PasswordHashCost::interactive().memlimit);

  // INTERACTIVE is 64 MiB and 2 passes; the cost is written into the hash.
  auto hash = hash_password("pw", PasswordHashCost::interactive());
  ASSERT_TRUE(hash.ok());
  EXPECT_NE(hash->find("$m=65536,t=2,"), std::string::npos) << *hash;
  EXPECT_TRUE(verify_password_hash(*hash, "pw"));
}

TEST(PasswordHash, RejectsEmptyAndOverLongPasswords) {
  auto empty = hash_password("", PasswordHashCost::minimum());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
  auto long_one = hash_password(std::string(max_password_length + 1, 'x'), PasswordHashCost::minimum());
  ASSERT_FALSE(long_one.ok());
  EXPECT_EQ(long_one.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(hash_password(std::string(max_password_length, 'x'), PasswordHashCost::minimum()).ok());
}

TEST(PasswordHash, MalformedHashNeverVerifies) {
  EXPECT_FALSE(verify_password_hash("", "pw"));
  EXPECT_FALSE(verify_password_hash("pw", "pw"));
  EXPECT_FALSE(verify_password_hash("$argon2id$garbage", "pw"));
  EXPECT_FALSE(verify_password_hash(std::string(1000, '$'), "pw"));
}

}  // namespace
}  // namespace dirmail::directory
