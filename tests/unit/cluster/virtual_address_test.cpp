#include "dirmail/cluster/virtual_address.hpp"

#include <gtest/gtest.h>

namespace dirmail::cluster {
namespace {

TEST(VirtualAddress, ReadsIpv4AndIpv6WithPrefix) {
  auto v4 = parse_virtual_address(" 192.168.10.202/24 ");
  ASSERT_TRUE(v4) << v4.error().message;
  EXPECT_EQ(v4->text(), "192.168.10.202/24");
  EXPECT_FALSE(v4->ipv6);
  auto v6 = parse_virtual_address("2001:DB8:0:0::25/64");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->text(), "2001:db8::25/64");  // canonical form, as keepalived and ip show it
  EXPECT_TRUE(v6->ipv6);
}

TEST(VirtualAddress, AsksForThePrefixTheOriginalNeverAskedFor) {
  auto r = parse_virtual_address("192.168.10.202");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("no prefix length"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("192.168.10.202/24"), std::string::npos) << r.error().message;
}

TEST(VirtualAddress, RefusesWhatIsNotAUsableAddress) {
  for (const char* bad : {"", "mail.example.test/24", "192.168.10.300/24", "192.168.10.202/33", "192.168.10.202/0",
                          "192.168.10.202/", "192.168.10.202/24x", "2001:db8::25/129", "127.0.0.1/8", "0.0.0.0/0",
                          "224.0.0.18/24", "255.255.255.255/32", "::1/128", "ff02::12/64",
                          "192.168.10.202/24 dev eth1", "192.168.10.202/24\n}"}) {
    auto r = parse_virtual_address(bad);
    EXPECT_FALSE(r) << "accepted \"" << bad << "\"";
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
      EXPECT_NE(r.error().message.find("cluster.virtual_ip"), std::string::npos) << r.error().message;
    }
  }
}

TEST(PeerAddress, IsAPlainAddressOfTheVirtualIpsFamily) {
  auto ok = parse_peer_address("192.168.10.201", false);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, "192.168.10.201");
  auto prefixed = parse_peer_address("192.168.10.201/24", false);
  ASSERT_FALSE(prefixed);
  EXPECT_NE(prefixed.error().message.find("without a prefix length"), std::string::npos);
  auto family = parse_peer_address("2001:db8::201", false);
  ASSERT_FALSE(family);
  EXPECT_NE(family.error().message.find("one address family"), std::string::npos) << family.error().message;
  EXPECT_FALSE(parse_peer_address("node2", false));
}

}  // namespace
}  // namespace dirmail::cluster
