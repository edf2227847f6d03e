#include "dirmail/auth/secret_sealing.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "../common/temp_dir.hpp"
#include "dirmail/base/base64.hpp"
#include "dirmail/base/private_file.hpp"

namespace dirmail::auth {
namespace {

SealingKey new_key(const std::string& path) {
  auto key = SealingKey::create(path);
  EXPECT_TRUE(key.ok()) << key.error().message;
  return std::move(*key);
}

TEST(SecretSealing, SealThenOpenGivesTheSecret) {
  testing::TempDir dir;
  SealingKey key = new_key(dir / "key");
  for (std::string secret : {std::string("tanstaaf"), std::string("pässwörd with spaces"), std::string(1000, 'x'),
                             std::string("nul\0inside", 10), std::string()}) {
    std::string sealed = key.seal("alice", secret);
    auto raw = base64_decode(sealed);
    ASSERT_TRUE(raw.ok()) << sealed;
    if (secret.size() >= 4) {
      EXPECT_EQ(raw->find(secret), std::string::npos) << "the secret shows in the sealed text";
    }
    auto opened = key.open("alice", sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, secret);
  }
  // A fresh nonce each time: the same secret seals differently.
  EXPECT_NE(key.seal("alice", "same"), key.seal("alice", "same"));
}

TEST(SecretSealing, TheKeyFileLoadsToTheSameKey) {
  testing::TempDir dir;
  SealingKey made = new_key(dir / "key");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  auto loaded = SealingKey::load(dir / "key");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto opened = loaded->open("alice", made.seal("alice", "tanstaaf"));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(*opened, "tanstaaf");
}

TEST(SecretSealing, AnotherLoginOrAnotherKeyDoesNotOpen) {
  testing::TempDir dir;
  SealingKey key = new_key(dir / "key");
  SealingKey other = new_key(dir / "other");
  std::string sealed = key.seal("alice", "tanstaaf");
  auto wrong_login = key.open("bob", sealed);
  ASSERT_FALSE(wrong_login.ok());
  EXPECT_EQ(wrong_login.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(key.open("Alice", sealed).ok());  // the login is bound byte for byte
  EXPECT_FALSE(key.open("", sealed).ok());
  auto wrong_key = other.open("alice", sealed);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.error().code, ErrorCode::invalid_argument);
}

TEST(SecretSealing, TamperedOrMalformedTextDoesNotOpen) {
  testing::TempDir dir;
  SealingKey key = new_key(dir / "key");
  std::string raw = *base64_decode(key.seal("alice", "tanstaaf"));
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string flipped = raw;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_FALSE(key.open("alice", base64_encode(flipped)).ok()) << "byte " << i;
  }
  EXPECT_FALSE(key.open("alice", base64_encode(raw.substr(0, raw.size() - 1))).ok());
  EXPECT_FALSE(key.open("alice", base64_encode(raw + "x")).ok());
  EXPECT_FALSE(key.open("alice", "").ok());
  EXPECT_FALSE(key.open("alice", "not base64!").ok());
  EXPECT_FALSE(key.open("alice", base64_encode(std::string(39, 'a'))).ok());  // shorter than nonce and tag
  EXPECT_FALSE(key.open("alice", std::string(5000, 'A')).ok());
}

TEST(SecretSealing, KeyFileReadableByOthersIsRefusedWithTheFix) {
  testing::TempDir dir;
  new_key(dir / "key");
  ASSERT_EQ(::chmod((dir / "key").c_str(), 0644), 0);
  auto loaded = SealingKey::load(dir / "key");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::permission_denied);
  EXPECT_NE(loaded.error().message.find("chmod 600"), std::string::npos) << loaded.error().message;
  EXPECT_NE(loaded.error().message.find(dir / "key"), std::string::npos) << loaded.error().message;
}

TEST(SecretSealing, MalformedKeyFilesAreRefused) {
  testing::TempDir dir;
  for (std::string text : {std::string(""), std::string("not base64\n"), base64_encode(std::string(31, 'k')) + "\n",
                           base64_encode(std::string(33, 'k')) + "\n"}) {
    ASSERT_TRUE(posix::write_private_file(dir / "key", text).ok());
    auto loaded = SealingKey::load(dir / "key");
    ASSERT_FALSE(loaded.ok()) << text;
    EXPECT_EQ(loaded.error().code, ErrorCode::invalid_argument) << text;
  }
  // 32 bytes of base64 with a CRLF, as an editor on Windows might leave it, loads.
  ASSERT_TRUE(posix::write_private_file(dir / "key", base64_encode(std::string(32, 'k')) + "\r\n").ok());
  EXPECT_TRUE(SealingKey::load(dir / "key").ok());
  auto missing = SealingKey::load(dir / "missing");
  EXPECT_FALSE(missing.ok());
}

TEST(SecretSealing, CreateNeverOverwritesAKey) {
  testing::TempDir dir;
  SealingKey first = new_key(dir / "key");
  std::string sealed = first.seal("alice", "tanstaaf");
  auto again = SealingKey::create(dir / "key");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::already_exists);
  // The first key is still the one on disk.
  auto loaded = SealingKey::load(dir / "key");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_TRUE(loaded->open("alice", sealed).ok());
}

}  // namespace
}  // namespace dirmail::auth
