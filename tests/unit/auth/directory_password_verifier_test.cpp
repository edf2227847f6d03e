#include <gtest/gtest.h>

#include "../directory/temp_directory.hpp"
#include "dirmail/auth/password_verifier.hpp"

namespace dirmail::auth {
namespace {

using directory::Account;
using directory::AccountState;

class DirectoryPasswordVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = directory::testing::open_directory(folder_.path() / "directory.db");
    ASSERT_TRUE(dir_->add_domain("example.test").ok());
    ASSERT_TRUE(dir_->add_user(directory::testing::user("alice", "example.test", "alice-pw")).ok());
  }
  directory::testing::TempFolder folder_;
  std::unique_ptr<directory::LocalDirectory> dir_;
};

TEST_F(DirectoryPasswordVerifierTest, RightPasswordGivesTheAccount) {
  DirectoryPasswordVerifier verifier(*dir_, *dir_);
  auto answer = verifier.verify("Alice@Example.Test", "alice-pw");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->address(), "alice@example.test");
}

TEST_F(DirectoryPasswordVerifierTest, WrongPasswordUnknownUserAndDisabledAccountAreNo) {
  DirectoryPasswordVerifier verifier(*dir_, *dir_);
  auto wrong = verifier.verify("alice", "nope");
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->has_value());
  auto unknown = verifier.verify("mallory", "alice-pw");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());

  ASSERT_TRUE(dir_->set_enabled("alice", false).ok());
  auto disabled = verifier.verify("alice", "alice-pw");
  ASSERT_TRUE(disabled.ok());
  EXPECT_FALSE(disabled->has_value());
}

// Test doubles for answers the local backend never gives: outages and non-mail users.
class FakePasswords : public directory::PasswordStore {
 public:
  explicit FakePasswords(Result<bool> answer) : answer_(std::move(answer)) {}
  Result<bool> verify_password(std::string_view, std::string_view) override { return answer_; }

 private:
  Result<bool> answer_;
};

class FakeDirectory : public directory::Directory {
 public:
  explicit FakeDirectory(Result<Account> account) : account_(std::move(account)) {}
  std::string_view backend_name() const override { return "fake"; }
  Result<std::vector<std::string>> local_domains() override { return std::vector<std::string>{}; }
  Result<bool> is_local_domain(std::string_view) override { return false; }
  Result<Account> find_account(std::string_view) override { return account_; }
  Result<directory::Recipient> resolve_recipient(std::string_view) override { return directory::Recipient{}; }

 private:
  Result<Account> account_;
};

Account account_in_state(AccountState state) {
  Account account;
  account.name = "bob";
  account.domain = "example.test";
  account.state = state;
  account.may_log_in = state == AccountState::active;
  account.may_receive = state == AccountState::active;
  return account;
}

TEST(DirectoryPasswordVerifier, OutageIsTemporaryFailureNotWrongPassword) {
  FakeDirectory directory(account_in_state(AccountState::active));
  FakePasswords passwords(make_error(ErrorCode::temporary_failure, "database is locked"));
  DirectoryPasswordVerifier verifier(directory, passwords);
  auto answer = verifier.verify("bob", "pw");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::temporary_failure);

  FakeDirectory down(make_error(ErrorCode::temporary_failure, "DC unreachable"));
  FakePasswords right(true);
  DirectoryPasswordVerifier after_password(down, right);
  auto lookup = after_password.verify("bob", "pw");
  ASSERT_FALSE(lookup.ok());
  EXPECT_EQ(lookup.error().code, ErrorCode::temporary_failure);
}

TEST(DirectoryPasswordVerifier, OnlyAccountsThatMayLogInAreAccepted) {
  FakePasswords right(true);
  for (AccountState state : {AccountState::disabled, AccountState::locked, AccountState::not_mail_user}) {
    FakeDirectory directory(account_in_state(state));
    DirectoryPasswordVerifier verifier(directory, right);
    auto answer = verifier.verify("bob", "pw");
    ASSERT_TRUE(answer.ok());
    EXPECT_FALSE(answer->has_value());
  }
  FakeDirectory active(account_in_state(AccountState::active));
  DirectoryPasswordVerifier verifier(active, right);
  auto answer = verifier.verify("bob", "pw");
  ASSERT_TRUE(answer.ok());
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->name, "bob");

  FakeDirectory vanished(make_error(ErrorCode::not_found, "no such user: bob"));
  DirectoryPasswordVerifier late(vanished, right);
  auto gone = late.verify("bob", "pw");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

}  // namespace
}  // namespace dirmail::auth
