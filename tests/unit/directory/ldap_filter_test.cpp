#include "dirmail/directory/ldap_filter.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

TEST(LdapFilter, InjectionAttemptsCanOnlyMatchThemselves) {
  EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("a\\b"), "a\\5cb");
  EXPECT_EQ(escape_filter_value(std::string("ali\0ce", 6)), "ali\\00ce");
  EXPECT_EQ(escape_filter_value("\xff\xfe"), "\\ff\\fe");             // not UTF-8
  EXPECT_EQ(escape_filter_value("\xe3\x81\x82"), "\\e3\\81\\82");     // UTF-8 too: always valid
  EXPECT_EQ(escape_filter_value("alice.smith-1@example.test"), "alice.smith-1@example.test");
}

TEST(LdapFilter, EscapeRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  auto escaped = escape_filter_value(all);
  for (char c : escaped) EXPECT_TRUE(c >= 0x20 && c <= 0x7e);
  auto back = unescape_filter_value(escaped);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
  EXPECT_FALSE(unescape_filter_value("\\2").ok());
  EXPECT_FALSE(unescape_filter_value("\\zz").ok());
}

TEST(LdapFilter, EqualityFilter) {
  EXPECT_EQ(*equality_filter("sAMAccountName", "bob*"), "(sAMAccountName=bob\\2a)");
  EXPECT_EQ(*equality_filter("1.2.840.113556.1.4.221", "x"), "(1.2.840.113556.1.4.221=x)");
  for (const char* bad : {"", "uid)(x", "9abc", "1..2", "1.2.", "a b", "-uid"})
    EXPECT_EQ(equality_filter(bad, "x").error().code, ErrorCode::invalid_argument) << bad;
  EXPECT_EQ(equality_filter("uid", std::string(max_filter_value + 1, 'a')).error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::directory
