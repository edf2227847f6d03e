#include "dirmail/features/journal_rule.hpp"

#include <gtest/gtest.h>

namespace dirmail::features {
namespace {

TEST(JournalRule, EmptyMatchCopiesEverything) {
  auto r = JournalRule::make({"Archive@Example.test"}, {});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->enabled());
  EXPECT_EQ(r->addresses(), std::vector<std::string>{"archive@example.test"});
  std::vector<std::string> rcpts{"a@b.example"};
  EXPECT_TRUE(r->applies("", rcpts));
}

TEST(JournalRule, MatchesAddressesAndDomainsOnEitherSide) {
  auto r = JournalRule::make({"archive@example.test"}, {"boss@example.test", "*@legal.example", "hr.example"});
  ASSERT_TRUE(r);
  std::vector<std::string> none{"x@example.test"};
  std::vector<std::string> boss{"x@example.test", "Boss@Example.test"};
  std::vector<std::string> hr{"y@HR.example"};
  EXPECT_FALSE(r->applies("z@example.test", none));
  EXPECT_TRUE(r->applies("z@example.test", boss));
  EXPECT_TRUE(r->applies("someone@legal.example", none));
  EXPECT_TRUE(r->applies("", hr));
  EXPECT_FALSE(r->applies("a@sub.legal.example", none));
}

TEST(JournalRule, DisabledWithoutAddresses) {
  auto r = JournalRule::make({}, {});
  ASSERT_TRUE(r);
  std::vector<std::string> rcpts{"a@b.example"};
  EXPECT_FALSE(r->applies("x@y.example", rcpts));
}

TEST(JournalRule, ErrorsNameTheSetting) {
  auto bad = JournalRule::make({"not-an-address"}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("journal.addresses:", 0), 0u);
  auto orphan = JournalRule::make({}, {"x@y.example"});
  ASSERT_FALSE(orphan);
  EXPECT_NE(orphan.error().message.find("journal.addresses is empty"), std::string::npos);
  auto pattern = JournalRule::make({"a@b.example"}, {"a b"});
  ASSERT_FALSE(pattern);
  EXPECT_EQ(pattern.error().message.rfind("journal.match:", 0), 0u);
  std::vector<std::string> many(21, "a@b.example");
  EXPECT_FALSE(JournalRule::make(many, {}));
}

}  // namespace
}  // namespace dirmail::features
