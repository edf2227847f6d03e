#include "dirmail/delivery/address_literal.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

TEST(AddressLiteral, DomainNamesAreNotLiterals) {
  EXPECT_FALSE(address_literal_route("example.org").has_value());
  EXPECT_FALSE(address_literal_route("192.0.2.1").has_value());  // a name, as far as DNS goes
}

TEST(AddressLiteral, Ipv4LiteralIsTheOnlyHost) {
  auto route = address_literal_route("[192.0.2.25]");
  ASSERT_TRUE(route.has_value());
  ASSERT_TRUE(route->ok()) << route->error().message;
  ASSERT_EQ((*route)->hosts.size(), 1u);
  EXPECT_EQ((*route)->hosts[0].addresses, std::vector<std::string>{"192.0.2.25"});
  EXPECT_EQ((*route)->domain, "[192.0.2.25]");
}

TEST(AddressLiteral, Ipv6LiteralNeedsItsTag) {
  auto tagged = address_literal_route("[IPv6:2001:DB8::25]");
  ASSERT_TRUE(tagged.has_value() && tagged->ok());
  EXPECT_EQ((*tagged)->hosts[0].addresses[0], "2001:db8::25");
  auto lower = address_literal_route("[ipv6:::1]");
  ASSERT_TRUE(lower.has_value() && lower->ok());
  EXPECT_EQ((*lower)->hosts[0].addresses[0], "::1");
  auto untagged = address_literal_route("[2001:db8::25]");
  ASSERT_TRUE(untagged.has_value());
  EXPECT_FALSE(untagged->ok());
}

TEST(AddressLiteral, MalformedLiteralsAreRefused) {
  for (std::string_view bad : std::initializer_list<std::string_view>{"[", "[]", "[192.0.2.1", "[300.1.1.1]", "[IPv6:192.0.2.1]", "[x-tag:foo]",
                               "[0.0.0.0]", std::string_view("[192.0.2.1\0]", 12), "[IPv6:]"}) {
    auto r = address_literal_route(bad);
    ASSERT_TRUE(r.has_value()) << bad;
    ASSERT_FALSE(r->ok()) << bad;
    EXPECT_EQ(r->error().code, ErrorCode::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace dirmail::delivery
