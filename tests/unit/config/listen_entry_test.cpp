#include <gtest/gtest.h>

#include "dirmail/config/listen_entry.hpp"

namespace dirmail::config {
namespace {

TEST(ListenEntry, ParsesIpv4AndIpv6) {
  auto v4 = parse_listen_entry("0.0.0.0 25");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->address, "0.0.0.0");
  EXPECT_EQ(v4->port, 25);
  EXPECT_FALSE(v4->ipv6);

  auto v6 = parse_listen_entry("  ::1\t\t65535 ");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(v6->port, 65535);
  EXPECT_TRUE(v6->ipv6);

  auto mapped = parse_listen_entry("::ffff:127.0.0.1 110");
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(mapped->ipv6);
}

TEST(ListenEntry, RefusesWhatIsNotAddressAndPort) {
  for (const char* bad : {"", " ", "0.0.0.0", "0.0.0.0:25", "0.0.0.0 25 *", "25", "0.0.0.0 465 * "}) {
    auto entry = parse_listen_entry(bad);
    ASSERT_FALSE(entry.ok()) << bad;
    EXPECT_EQ(entry.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ(entry.error().message,
              "listen entry \"" + std::string(bad) + "\" is not \"ADDRESS PORT\" or \"ADDRESS PORT*\"");
  }
}

TEST(ListenEntry, StarAfterThePortMeansImplicitTls) {
  auto tls = parse_listen_entry("0.0.0.0 465*");
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  EXPECT_EQ(tls->address, "0.0.0.0");
  EXPECT_EQ(tls->port, 465);
  EXPECT_TRUE(tls->implicit_tls);

  auto v6 = parse_listen_entry(" ::1\t993* ");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->port, 993);
  EXPECT_TRUE(v6->ipv6);
  EXPECT_TRUE(v6->implicit_tls);

  auto plain = parse_listen_entry("127.0.0.1 587");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->implicit_tls);

  // The star belongs to a port: alone, doubled or in front it is refused, by name.
  for (const char* bad : {"::1 *", "::1 465**", "::1 *465", "::1 0*", "::1 65536*"}) {
    auto entry = parse_listen_entry(bad);
    ASSERT_FALSE(entry.ok()) << bad;
    EXPECT_NE(entry.error().message.find("is not a number in 1..65535"), std::string::npos) << bad;
  }
  auto named = parse_listen_entry("::1 99x*");
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.error().message, "port \"99x*\" is not a number in 1..65535");
}

TEST(ListenEntry, RefusesBadAddresses) {
  for (const char* bad : {"localhost 25", "* 465", "[::1] 25", "256.0.0.1 25", "1.2.3 25", "fe80::1%eth0 25"}) {
    auto entry = parse_listen_entry(bad);
    ASSERT_FALSE(entry.ok()) << bad;
    EXPECT_NE(entry.error().message.find("is not an IPv4 or IPv6 address"), std::string::npos) << bad;
  }
}

TEST(ListenEntry, RefusesBadPorts) {
  for (const char* bad : {"::1 0", "::1 65536", "::1 -1", "::1 +25", "::1 2x", "::1 99999999999999999999"}) {
    auto entry = parse_listen_entry(bad);
    ASSERT_FALSE(entry.ok()) << bad;
    EXPECT_NE(entry.error().message.find("is not a number in 1..65535"), std::string::npos) << bad;
  }
}

TEST(ListenEntry, RefusesControlCharacters) {
  // inet_pton stops at a NUL: "127.0.0.1\0junk" must not pass as 127.0.0.1.
  EXPECT_FALSE(parse_listen_entry(std::string("127.0.0.1\0x 25", 13)).ok());
  EXPECT_FALSE(parse_listen_entry("127.0.0.1\n 25").ok());
  EXPECT_TRUE(parse_listen_entry("127.0.0.1\t25").ok());
}

TEST(ListenEntry, RefusesOverlongInput) {
  auto entry = parse_listen_entry("0.0.0.0 25" + std::string(200, ' '));
  ASSERT_FALSE(entry.ok());
  EXPECT_EQ(entry.error().message, "listen entry is longer than 128 characters");
}

}  // namespace
}  // namespace dirmail::config
