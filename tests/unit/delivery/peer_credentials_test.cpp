#include "dirmail/delivery/peer_credentials.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

PeerCredentials parse(std::string_view text) {
  auto c = parse_peer_credentials(text, "auth.txt");
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : PeerCredentials{};
}

std::string user_for(const PeerCredentials& c, std::string_view host, bool gateway) {
  const PeerCredentialsEntry* e = c.find(host, gateway);
  return e == nullptr ? "(none)" : e->user + ":" + e->password;
}

TEST(PeerCredentials, HostUserAndTheRestOfTheLineAsPassword) {
  auto c = parse(
      "# relays\n"
      "smtp.isp.example  branch01@isp.example   pass phrase with  spaces  \r\n"
      "\t\n"
      "192.0.2.25\tuser2\ts3cret#not-a-comment\n"
      "[2001:db8::25] user3 pw3\n"
      "  # indented comment\n"
      "*  relay  any-gateway\n");
  ASSERT_EQ(c.entries().size(), 4u);
  EXPECT_EQ(user_for(c, "smtp.isp.example", true), "branch01@isp.example:pass phrase with  spaces");
  EXPECT_EQ(c.find("smtp.isp.example", true)->origin, "auth.txt:2");
  EXPECT_EQ(user_for(c, "SMTP.ISP.Example.", true), "branch01@isp.example:pass phrase with  spaces");
  EXPECT_EQ(user_for(c, "192.0.2.25", true), "user2:s3cret#not-a-comment");
  EXPECT_EQ(user_for(c, "2001:db8::25", true), "user3:pw3");
  EXPECT_EQ(user_for(c, "[2001:DB8::25]", true), "user3:pw3");
}

TEST(PeerCredentials, StarIsForGatewaysNeverForMxHosts) {
  auto c = parse("*  relay  any-gateway\nmx1.partner.example  mxuser  mxpass\n");
  // Any gateway (smart host, table entry) gets the `*` entry...
  EXPECT_EQ(user_for(c, "gw.example.net", true), "relay:any-gateway");
  EXPECT_EQ(user_for(c, "192.0.2.1", true), "relay:any-gateway");
  // ...an MX host found in DNS never does, only an entry naming it.
  EXPECT_EQ(user_for(c, "gw.example.net", false), "(none)");
  EXPECT_EQ(user_for(c, "mx.attacker.example", false), "(none)");
  EXPECT_EQ(user_for(c, "*", false), "(none)");
  EXPECT_EQ(user_for(c, "mx1.partner.example", false), "mxuser:mxpass");
}

TEST(PeerCredentials, TheHostItselfWinsOverStar) {
  auto c = parse("*  relay  any\ngw.example.net  gwuser  gwpass\n");
  EXPECT_EQ(user_for(c, "gw.example.net", true), "gwuser:gwpass");
  EXPECT_EQ(user_for(c, "other.example.net", true), "relay:any");
}

TEST(PeerCredentials, EmptyFileHasNoCredentials) {
  auto c = parse("# nothing yet\n\n");
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.find("gw.example.net", true), nullptr);
}

TEST(PeerCredentials, ErrorsNameTheLineButNeverThePassword) {
  struct Case {
    std::string_view text;
    std::string_view error;
  };
  const Case cases[] = {
      {"gw.example.net\n", "auth.txt:1: expected HOST USER PASSWORD"},
      {"# c\ngw.example.net user\n", "auth.txt:2: expected HOST USER PASSWORD"},
      {"gw.example.net:587 user topsecret\n", "auth.txt:1: \"gw.example.net:587\": write the host without its port"},
      {"[2001:db8::1]:25 user topsecret\n", "auth.txt:1: \"[2001:db8::1]:25\": write the host without its port"},
      {"gw_example!net user topsecret\n", "auth.txt:1: \"gw_example!net\" is not a host name or an IP address"},
      {"300.1.2.3 user topsecret\n", "auth.txt:1: \"300.1.2.3\" is not an IPv4 address"},
      {"gw.example.net user top\x01secret\n", "auth.txt:1: the password holds a control character"},
      {"gw.example.net us\x7f" "er topsecret\n", "auth.txt:1: the user name holds a control character"},
      {"gw.example.net user topsecret\nGW.example.net. other topsecret\n",
       "auth.txt:2: gw.example.net is given already at auth.txt:1"},
      {"* a topsecret\n* b topsecret\n", "auth.txt:2: * is given already at auth.txt:1"},
      {"\xFF\xFE" "g\0", "auth.txt:1: the file is UTF-16"},
  };
  for (const auto& c : cases) {
    auto p = parse_peer_credentials(c.text, "auth.txt");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.error().code, ErrorCode::invalid_argument);
    EXPECT_TRUE(p.error().message.starts_with(c.error)) << p.error().message;
    EXPECT_EQ(p.error().message.find("secret"), std::string::npos) << p.error().message;
  }
}

TEST(PeerCredentials, SizeLimits) {
  std::string big(kMaxPeerCredentialsBytes + 1, '#');
  auto b = parse_peer_credentials(big, "auth.txt");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::limit_exceeded);

  std::string long_line = "gw.example.net user " + std::string(kMaxPeerCredentialsLineBytes, 'p');
  auto l = parse_peer_credentials(long_line, "auth.txt");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, ErrorCode::limit_exceeded);
  EXPECT_TRUE(l.error().message.starts_with("auth.txt:1: the line is longer than")) << l.error().message;

  std::string many;
  for (std::size_t i = 0; i <= kMaxPeerCredentialsEntries; ++i) many += "h" + std::to_string(i) + " u p\n";
  ASSERT_LE(many.size(), kMaxPeerCredentialsBytes);
  auto m = parse_peer_credentials(many, "auth.txt");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(m.error().message, "auth.txt:1001: more than 1000 entries");
}

}  // namespace
}  // namespace dirmail::delivery
