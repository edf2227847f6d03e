#include "dirmail/features/configured_address.hpp"

#include <gtest/gtest.h>

namespace dirmail::features {
namespace {

TEST(ConfiguredAddress, PlainAddressesPass) {
  EXPECT_EQ(configured_address_problem("user@example.com"), "");
  EXPECT_EQ(configured_address_problem("ユーザー@例え.jp"), "");
}

TEST(ConfiguredAddress, EachRefusalSaysWhy) {
  EXPECT_EQ(configured_address_problem("user"), "has no domain");
  EXPECT_EQ(configured_address_problem("user@"), "has no domain");
  EXPECT_EQ(configured_address_problem("@example.com"), "has no local part");
  EXPECT_EQ(configured_address_problem("a@b@example.com"), "has two @");
  EXPECT_EQ(configured_address_problem(std::string(250, 'a') + "@b.cd"), "longer than 254 characters");
  for (std::string_view bad : {"a b@example.com", "a<b@example.com", "a,b@example.com", "\"a\"@example.com",
                               "a\x7f@example.com"})
    EXPECT_EQ(configured_address_problem(bad), "contains a character not allowed in an address") << bad;
  EXPECT_EQ(configured_address_problem("a\xff@example.com"), "is not valid UTF-8");
}

TEST(ConfiguredAddress, StarOnlyAsTheWholeLocalPartWhenAllowed) {
  EXPECT_EQ(configured_address_problem("*@example.com"), "contains *");
  EXPECT_EQ(configured_address_problem("*@example.com", true), "");
  EXPECT_EQ(configured_address_problem("a*@example.com", true), "uses * other than as the whole local part");
  EXPECT_EQ(configured_address_problem("a@*.example.com", true), "uses * other than as the whole local part");
}

}  // namespace
}  // namespace dirmail::features
