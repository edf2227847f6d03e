#include "dirmail/directory/mail_names.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

TEST(AccountName, AcceptsLettersDigitsDotUnderscoreDashAndLowerCases) {
  auto name = canonical_account_name("Alice.Smith_01-x");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "alice.smith_01-x");
  EXPECT_TRUE(canonical_account_name(std::string(64, 'a')).ok());
}

TEST(AccountName, RejectsPathTricksAndOddCharacters) {
  for (std::string bad : {std::string(""), std::string(".hidden"), std::string(".."), std::string("../x"),
                          std::string("a/b"), std::string("a\\b"), std::string("a\0b", 3), std::string("a b"),
                          std::string("a@b"), std::string("a\nb"), std::string("\xc3\xa4"), std::string(65, 'a')}) {
    auto name = canonical_account_name(bad);
    ASSERT_FALSE(name.ok()) << "accepted: " << bad;
    EXPECT_EQ(name.error().code, ErrorCode::invalid_argument);
  }
}

TEST(AccountName, ErrorMessageDoesNotEchoControlCharacters) {
  auto name = canonical_account_name(std::string("a\x1b[2Jb", 7));
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().message.find('\x1b'), std::string::npos);
}

TEST(Domain, AcceptsDnsNamesAndLowerCases) {
  auto domain = canonical_domain("Mail-1.Example.TEST");
  ASSERT_TRUE(domain.ok());
  EXPECT_EQ(*domain, "mail-1.example.test");
  EXPECT_TRUE(canonical_domain("localhost").ok());
  EXPECT_TRUE(canonical_domain(std::string(63, 'a') + ".test").ok());
}

TEST(Domain, RejectsMalformedNames) {
  std::string long_domain;
  while (long_domain.size() < 254) long_domain += "abcdefghi.";
  long_domain += "test";
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("../x"),
                          std::string("a..b"), std::string(".a"), std::string("a."), std::string("-a.test"),
                          std::string("a-.test"), std::string("a/b.test"), std::string("a_b.test"),
                          std::string("a b.test"), std::string("a\0b.test", 8), std::string(64, 'a') + ".test",
                          long_domain}) {
    auto domain = canonical_domain(bad);
    ASSERT_FALSE(domain.ok()) << "accepted: " << bad;
    EXPECT_EQ(domain.error().code, ErrorCode::invalid_argument);
  }
}

TEST(Address, SplitsAtLastAtAndLowerCases) {
  auto parts = split_address("Info@Example.TEST");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->local_part, "info");
  EXPECT_EQ(parts->domain, "example.test");

  parts = split_address("\"a@b\"@example.test");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->local_part, "\"a@b\"");
  EXPECT_EQ(parts->domain, "example.test");
}

TEST(Address, RejectsMissingPartsSpacesAndOverLongInput) {
  for (std::string bad : {std::string("alice"), std::string("@example.test"), std::string("alice@"),
                          std::string("al ice@example.test"), std::string("alice@exa\tmple.test"),
                          std::string(65, 'a') + "@example.test", "a@" + std::string(253, 'b')}) {
    EXPECT_FALSE(split_address(bad).ok()) << "accepted: " << bad;
  }
}

TEST(Login, ParsesBareNameAndFullAddress) {
  auto bare = parse_login("Alice");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->name, "alice");
  EXPECT_EQ(bare->domain, "");

  auto full = parse_login("Alice@Example.Test");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->name, "alice");
  EXPECT_EQ(full->domain, "example.test");

  EXPECT_FALSE(parse_login("../etc@example.test").ok());
  EXPECT_FALSE(parse_login("alice@../x").ok());
}

}  // namespace
}  // namespace dirmail::directory
