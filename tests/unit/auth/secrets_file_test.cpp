#include "dirmail/auth/secrets_file.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "secrets_file_fixture.hpp"

namespace dirmail::auth {
namespace {

// SecretsFile looks at the file at most once a second.
void wait_past_recheck_interval() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

class SecretsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_.write({
        "# SMTP-AUTH and APOP",
        folder_.sealed_line("alice", "alice-secret"),
        testing::SecretsFolder::hashed_line("bob", "bob-pw"),
        folder_.sealed_line("carol@example.test", "carol-secret"),
    });
  }
  std::shared_ptr<SecretsFile> open_file() {
    auto file = SecretsFile::open(folder_.file_path(), folder_.key_path());
    EXPECT_TRUE(file.ok()) << file.error().message;
    return file ? *file : nullptr;
  }
  testing::SecretsFolder folder_;
};

TEST_F(SecretsFileTest, OpensAndKnowsItsPath) {
  auto file = open_file();
  ASSERT_TRUE(file);
  EXPECT_EQ(file->path(), folder_.file_path());
}

TEST_F(SecretsFileTest, FileReadableByOthersIsRefused) {
  ASSERT_EQ(::chmod(folder_.file_path().c_str(), 0644), 0);
  auto file = SecretsFile::open(folder_.file_path(), folder_.key_path());
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ErrorCode::permission_denied);
  EXPECT_NE(file.error().message.find("auth.secrets_file"), std::string::npos) << file.error().message;
  EXPECT_NE(file.error().message.find("chmod 600"), std::string::npos) << file.error().message;
}

TEST_F(SecretsFileTest, ParseErrorNamesTheFileAndLine) {
  folder_.write({"# comment", folder_.sealed_line("alice", "a"), "bob"});
  auto file = SecretsFile::open(folder_.file_path(), folder_.key_path());
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(file.error().message.find(folder_.file_path()), std::string::npos) << file.error().message;
  EXPECT_NE(file.error().message.find("line 3"), std::string::npos) << file.error().message;
}

TEST_F(SecretsFileTest, SealedEntriesNeedTheKey) {
  auto no_key = SecretsFile::open(folder_.file_path(), "");
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.error().message.find("auth.secrets_key_file"), std::string::npos) << no_key.error().message;

  auto missing_key = SecretsFile::open(folder_.file_path(), folder_.folder() + "/no-such.key");
  ASSERT_FALSE(missing_key.ok());
  EXPECT_NE(missing_key.error().message.find("auth.secrets_key_file"), std::string::npos)
      << missing_key.error().message;

  ASSERT_EQ(::chmod(folder_.key_path().c_str(), 0640), 0);
  auto open_key = SecretsFile::open(folder_.file_path(), folder_.key_path());
  ASSERT_FALSE(open_key.ok());
  EXPECT_NE(open_key.error().message.find("chmod 600"), std::string::npos) << open_key.error().message;
}

TEST_F(SecretsFileTest, HashesOnlyNeedNoKey) {
  folder_.write({testing::SecretsFolder::hashed_line("bob", "bob-pw")});
  auto file = SecretsFile::open(folder_.file_path(), "");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_TRUE((*file)->verify_password("bob", "bob-pw"));
  EXPECT_FALSE((*file)->shared_secret("bob").has_value());
}

TEST_F(SecretsFileTest, MissingFileIsAnError) {
  auto file = SecretsFile::open(folder_.folder() + "/missing", folder_.key_path());
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("auth.secrets_file"), std::string::npos) << file.error().message;
}

// Which of an account's names to ask for is the Authenticator's business (a bare name
// may be shared by soft accounts of two domains): the file answers exact logins only.
TEST_F(SecretsFileTest, EntriesAreFoundByTheirExactLoginWithoutCase) {
  auto file = open_file();
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->has_entry("alice"));
  EXPECT_TRUE(file->has_entry("ALICE"));
  EXPECT_FALSE(file->has_entry("alice@example.test"));
  EXPECT_EQ(file->shared_secret("alice@example.test"), std::nullopt);
  EXPECT_FALSE(file->verify_password("alice@example.test", "alice-secret"));
  EXPECT_TRUE(file->verify_password("Alice", "alice-secret"));

  // An entry for the address does not serve the bare name.
  EXPECT_TRUE(file->has_entry("carol@example.test"));
  EXPECT_FALSE(file->has_entry("carol"));
  EXPECT_EQ(file->shared_secret("carol@example.test"), "carol-secret");

  EXPECT_FALSE(file->has_entry("mallory"));
  EXPECT_FALSE(file->has_entry("mallory@example.test"));
  EXPECT_FALSE(file->has_entry(""));
  EXPECT_FALSE(file->has_entry("al ice"));
  EXPECT_FALSE(file->shared_secret("mallory").has_value());
}

TEST_F(SecretsFileTest, VerifiesSealedAndHashedPasswords) {
  auto file = open_file();
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->verify_password("alice", "alice-secret"));
  EXPECT_FALSE(file->verify_password("alice", "alice-secreT"));
  EXPECT_FALSE(file->verify_password("alice", "alice-secret "));
  EXPECT_FALSE(file->verify_password("alice", "alice-secre"));
  EXPECT_FALSE(file->verify_password("alice", ""));
  EXPECT_TRUE(file->verify_password("bob", "bob-pw"));
  EXPECT_TRUE(file->verify_password("BOB", "bob-pw"));
  EXPECT_FALSE(file->verify_password("bob", "bob-PW"));
  EXPECT_FALSE(file->verify_password("bob", ""));
  EXPECT_FALSE(file->verify_password("mallory", "alice-secret"));
}

TEST_F(SecretsFileTest, HashedEntriesHaveNoSharedSecret) {
  auto file = open_file();
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->has_entry("bob"));
  EXPECT_FALSE(file->shared_secret("bob").has_value());
  EXPECT_EQ(file->shared_secret("alice"), "alice-secret");
}

TEST_F(SecretsFileTest, ASealedValueMovedToAnotherLoginDoesNotOpen) {
  // dave's line carries the text sealed for alice.
  std::string alice_sealed = folder_.key().seal("alice", "alice-secret");
  folder_.write({format_secret_entry({"dave", SecretScheme::sealed, alice_sealed, 0})});
  auto file = open_file();
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->has_entry("dave"));
  EXPECT_FALSE(file->shared_secret("dave").has_value());
  EXPECT_FALSE(file->verify_password("dave", "alice-secret"));
}

TEST_F(SecretsFileTest, ARewrittenFileIsReadAgain) {
  auto file = open_file();
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->has_entry("alice"));
  folder_.write({folder_.sealed_line("dave", "dave-secret"), folder_.sealed_line("alice", "new-alice")});
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("dave"));
  EXPECT_FALSE(file->has_entry("bob"));
  EXPECT_EQ(file->shared_secret("dave"), "dave-secret");
  EXPECT_TRUE(file->verify_password("alice", "new-alice"));
  EXPECT_FALSE(file->verify_password("alice", "alice-secret"));
}

TEST_F(SecretsFileTest, AnEditInPlaceIsReadAgain) {
  auto file = open_file();
  ASSERT_TRUE(file);
  // Same inode, as an editor that writes in place leaves it.
  std::string text = folder_.sealed_line("erin", "erin-secret") + "\n";
  {
    std::ofstream out(folder_.file_path(), std::ios::binary | std::ios::trunc);
    out << text;
  }
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("erin"));
  EXPECT_FALSE(file->has_entry("alice"));
}

TEST_F(SecretsFileTest, ABrokenRewriteKeepsTheLastGoodEntries) {
  auto file = open_file();
  ASSERT_TRUE(file);
  folder_.write({folder_.sealed_line("dave", "dave-secret"), "broken line"});
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("alice"));
  EXPECT_FALSE(file->has_entry("dave"));
  EXPECT_TRUE(file->verify_password("alice", "alice-secret"));
  EXPECT_TRUE(file->verify_password("bob", "bob-pw"));

  // Once the content is fixed, it is used.
  folder_.write({folder_.sealed_line("dave", "dave-secret")});
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("dave"));
  EXPECT_FALSE(file->has_entry("alice"));
}

TEST_F(SecretsFileTest, ARewriteReadableByOthersKeepsTheLastGoodEntries) {
  auto file = open_file();
  ASSERT_TRUE(file);
  folder_.write({folder_.sealed_line("dave", "dave-secret")});
  ASSERT_EQ(::chmod(folder_.file_path().c_str(), 0644), 0);
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("alice"));
  EXPECT_FALSE(file->has_entry("dave"));
}

// The log says "chmod 600"; doing just that must be enough, without touching the content.
TEST_F(SecretsFileTest, FixingTheModeOfARewriteIsNoticed) {
  auto file = open_file();
  ASSERT_TRUE(file);
  folder_.write({folder_.sealed_line("dave", "dave-secret")});
  ASSERT_EQ(::chmod(folder_.file_path().c_str(), 0644), 0);
  wait_past_recheck_interval();
  ASSERT_FALSE(file->has_entry("dave"));  // refused while others may read it
  ASSERT_EQ(::chmod(folder_.file_path().c_str(), 0600), 0);
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("dave"));
  EXPECT_FALSE(file->has_entry("alice"));
}

// The same for the key file: a reload refused for the key's mode must be retried once
// the key is fixed.
TEST_F(SecretsFileTest, FixingTheModeOfTheKeyFileIsNoticed) {
  auto file = open_file();
  ASSERT_TRUE(file);
  ASSERT_EQ(::chmod(folder_.key_path().c_str(), 0644), 0);
  folder_.write({folder_.sealed_line("dave", "dave-secret")});
  wait_past_recheck_interval();
  ASSERT_FALSE(file->has_entry("dave"));  // refused while others may read the key
  ASSERT_EQ(::chmod(folder_.key_path().c_str(), 0600), 0);
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("dave"));
}

TEST_F(SecretsFileTest, ARemovedFileKeepsTheLastGoodEntries) {
  auto file = open_file();
  ASSERT_TRUE(file);
  ASSERT_EQ(std::remove(folder_.file_path().c_str()), 0);
  wait_past_recheck_interval();
  EXPECT_TRUE(file->has_entry("alice"));
  EXPECT_EQ(file->shared_secret("alice"), "alice-secret");
}

}  // namespace
}  // namespace dirmail::auth
