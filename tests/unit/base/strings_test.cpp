#include "dirmail/base/strings.hpp"

#include <gtest/gtest.h>

#include "dirmail/base/time.hpp"

namespace dirmail {
namespace {

TEST(Strings, Basics) {
  EXPECT_TRUE(iequals("Hello", "hELLO"));
  EXPECT_FALSE(iequals("Hello", "Hell"));
  EXPECT_TRUE(istarts_with("Message-ID: x", "message-id:"));
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(split("a,,b", ',').size(), 3u);
  EXPECT_EQ(replace_all("%U%/%U%", "%U%", "x"), "x/x");
}

TEST(Strings, ParseDecimal) {
  EXPECT_EQ(parse_decimal("0", 5), 0u);
  EXPECT_EQ(parse_decimal("00042", 5), 42u);
  EXPECT_FALSE(parse_decimal("", 5).has_value());
  EXPECT_FALSE(parse_decimal("123456", 5).has_value());
  EXPECT_FALSE(parse_decimal("12a", 5).has_value());
  EXPECT_FALSE(parse_decimal("-1", 5).has_value());
  EXPECT_FALSE(parse_decimal("+1", 5).has_value());
  EXPECT_EQ(parse_decimal("18446744073709551615", 20), UINT64_MAX);
  EXPECT_EQ(parse_decimal("99999999999999999999", 20), UINT64_MAX);  // saturates, never wraps
}

TEST(Time, Rfc5322Date) { EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000"); }

}  // namespace
}  // namespace dirmail
