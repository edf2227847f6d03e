// LocalDirectory administration: domains, users, limits, aliases.
#include <gtest/gtest.h>

#include "dirmail/directory/local_directory.hpp"
#include "temp_directory.hpp"

namespace dirmail::directory {
namespace {

using testing::LocalDirectoryTest;
using testing::user;

TEST_F(LocalDirectoryTest, AddDomainRejectsDuplicatesAndBadNames) {
  auto again = dir_->add_domain("EXAMPLE.test");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::already_exists);
  EXPECT_NE(again.error().message.find("example.test"), std::string::npos);

  for (std::string bad : {std::string("../x"), std::string("a/b"), std::string("a\0b", 3), std::string("")}) {
    auto status = dir_->add_domain(bad);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  }
  auto domains = dir_->list_domains();
  ASSERT_TRUE(domains.ok());
  ASSERT_EQ(domains->size(), 1u);
}

TEST_F(LocalDirectoryTest, AddUserNeedsAnExistingDomain) {
  auto status = dir_->add_user(user("alice", "missing.test"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::not_found);
  EXPECT_NE(status.error().message.find("missing.test"), std::string::npos);
}

TEST_F(LocalDirectoryTest, AddUserRejectsPathTricksInNames) {
  for (std::string bad : {std::string("../x"), std::string("a/b"), std::string("a\0b", 3), std::string(".x"),
                          std::string(""), std::string("..")}) {
    auto status = dir_->add_user(user(bad, "example.test"));
    ASSERT_FALSE(status.ok()) << "accepted: " << bad;
    EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  }
  auto bad_domain = dir_->add_user(user("alice", "../example.test"));
  ASSERT_FALSE(bad_domain.ok());
  EXPECT_EQ(bad_domain.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(dir_->list_users()->empty());
}

TEST_F(LocalDirectoryTest, AddUserRejectsControlCharactersAndEmptyPassword) {
  UserSpec spec = user("alice", "example.test");
  spec.display_name = "Alice\nInjected: yes";
  EXPECT_EQ(dir_->add_user(spec).error().code, ErrorCode::invalid_argument);
  spec = user("alice", "example.test", "");
  EXPECT_EQ(dir_->add_user(spec).error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(dir_->list_users()->empty());
}

TEST_F(LocalDirectoryTest, DuplicateUserIsAlreadyExistsWhateverTheCase) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test")).ok());
  auto again = dir_->add_user(user("ALICE", "Example.Test"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::already_exists);
  EXPECT_NE(again.error().message.find("alice@example.test"), std::string::npos);
}

TEST_F(LocalDirectoryTest, AccountLimitIsEnforcedPerDomain) {
  ASSERT_TRUE(dir_->add_domain("small.test", 2).ok());
  ASSERT_TRUE(dir_->add_user(user("a", "small.test")).ok());
  ASSERT_TRUE(dir_->add_user(user("b", "small.test")).ok());
  auto third = dir_->add_user(user("c", "small.test"));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::limit_exceeded);
  EXPECT_FALSE(dir_->find_account("c@small.test").ok());
  // Unlimited domain next door is not affected.
  ASSERT_TRUE(dir_->add_user(user("c", "example.test")).ok());
  // Freeing a slot allows a new account.
  ASSERT_TRUE(dir_->remove_user("a@small.test").ok());
  EXPECT_TRUE(dir_->add_user(user("c", "small.test")).ok());

  auto domains = dir_->list_domains();
  ASSERT_TRUE(domains.ok());
  ASSERT_EQ(domains->size(), 2u);
  EXPECT_EQ((*domains)[1].name, "small.test");
  EXPECT_EQ((*domains)[1].account_limit, 2u);
  EXPECT_EQ((*domains)[1].user_count, 2u);
}

TEST_F(LocalDirectoryTest, SetPasswordReplacesTheOldOne) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test", "old password")).ok());
  ASSERT_TRUE(dir_->set_password("alice", "new password").ok());
  EXPECT_FALSE(*dir_->verify_password("alice", "old password"));
  EXPECT_TRUE(*dir_->verify_password("alice", "new password"));
  EXPECT_EQ(dir_->set_password("nobody", "x").error().code, ErrorCode::not_found);
  EXPECT_EQ(dir_->set_password("alice", "").error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(*dir_->verify_password("alice", "new password"));
}

TEST_F(LocalDirectoryTest, RemoveUserAndGetUser) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test")).ok());
  auto got = dir_->get_user("alice");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->enabled);
  EXPECT_GT(got->created_at, 1600000000);
  ASSERT_TRUE(dir_->remove_user("Alice@example.test").ok());
  EXPECT_EQ(dir_->get_user("alice").error().code, ErrorCode::not_found);
  EXPECT_EQ(dir_->remove_user("alice").error().code, ErrorCode::not_found);
  EXPECT_EQ(dir_->resolve_recipient("alice@example.test")->kind, RecipientKind::unknown);
}

TEST_F(LocalDirectoryTest, ListUsersOrderedAndFilteredByDomain) {
  ASSERT_TRUE(dir_->add_domain("b.test").ok());
  ASSERT_TRUE(dir_->add_user(user("zed", "example.test")).ok());
  ASSERT_TRUE(dir_->add_user(user("amy", "example.test")).ok());
  ASSERT_TRUE(dir_->add_user(user("bob", "b.test")).ok());
  auto all = dir_->list_users();
  ASSERT_TRUE(all.ok());
  std::vector<std::string> addresses;
  for (const auto& u : *all) addresses.push_back(u.account.address());
  EXPECT_EQ(addresses, (std::vector<std::string>{"bob@b.test", "amy@example.test", "zed@example.test"}));

  auto one = dir_->list_users("B.TEST");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].account.name, "bob");
  EXPECT_EQ(dir_->list_users("none.test").error().code, ErrorCode::not_found);
}

TEST_F(LocalDirectoryTest, RemoveDomainOnlyWhenEmpty) {
  ASSERT_TRUE(dir_->add_user(user("alice", "example.test")).ok());
  auto busy = dir_->remove_domain("example.test");
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.error().message.find("1 user"), std::string::npos) << busy.error().message;
  ASSERT_TRUE(dir_->remove_user("alice").ok());
  ASSERT_TRUE(dir_->remove_domain("example.test").ok());
  EXPECT_FALSE(*dir_->is_local_domain("example.test"));
  EXPECT_EQ(dir_->remove_domain("example.test").error().code, ErrorCode::not_found);
}

TEST_F(LocalDirectoryTest, AliasesAddListRemove) {
  ASSERT_TRUE(dir_->add_alias("Info@Example.Test", {"alice@example.test", "bob@remote.test"}).ok());
  ASSERT_TRUE(dir_->add_alias("*@example.test", {"postmaster@example.test"}).ok());
  EXPECT_EQ(dir_->add_alias("info@example.test", {"x@example.test"}).error().code, ErrorCode::already_exists);

  auto aliases = dir_->list_aliases();
  ASSERT_TRUE(aliases.ok());
  ASSERT_EQ(aliases->size(), 2u);
  EXPECT_EQ((*aliases)[0].address, "*@example.test");
  EXPECT_EQ((*aliases)[1].address, "info@example.test");
  EXPECT_EQ((*aliases)[1].targets, (std::vector<std::string>{"alice@example.test", "bob@remote.test"}));

  ASSERT_TRUE(dir_->remove_alias("INFO@example.test").ok());
  EXPECT_EQ(dir_->remove_alias("info@example.test").error().code, ErrorCode::not_found);
  EXPECT_EQ(dir_->list_aliases()->size(), 1u);
}

TEST_F(LocalDirectoryTest, AliasValidation) {
  auto code = [&](std::string address, std::vector<std::string> targets) {
    auto status = dir_->add_alias(address, targets);
    return status.ok() ? std::optional<ErrorCode>() : std::optional<ErrorCode>(status.error().code);
  };
  EXPECT_EQ(code("info@missing.test", {"a@example.test"}), ErrorCode::not_found);
  EXPECT_EQ(code("info", {"a@example.test"}), ErrorCode::invalid_argument);            // no domain
  EXPECT_EQ(code("info@example.test", {"abc-info"}), ErrorCode::invalid_argument);     // target without domain
  EXPECT_EQ(code("in*fo@example.test", {"a@example.test"}), ErrorCode::invalid_argument);  // '*' only alone
  EXPECT_EQ(code("info@*.example.test", {"a@example.test"}), ErrorCode::invalid_argument); // not in the domain
  EXPECT_EQ(code("info@example.test", {"*@other.test"}), ErrorCode::invalid_argument);  // '*' target needs '*' alias
  EXPECT_EQ(code("info@example.test", {"a,b@other.test"}), ErrorCode::invalid_argument);
  EXPECT_EQ(code("info@example.test", {"INFO@example.test"}), ErrorCode::invalid_argument);  // loop
  EXPECT_EQ(code("info@example.test", {}), ErrorCode::invalid_argument);
  EXPECT_EQ(code("../x@example.test", {"a@example.test"}), ErrorCode::invalid_argument);
  EXPECT_TRUE(dir_->list_aliases()->empty());
}

}  // namespace
}  // namespace dirmail::directory
