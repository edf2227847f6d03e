#include "dirmail/delivery/peer_capabilities.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

PeerCapabilities parse(std::string_view text) {
  auto replies = parse_replies(text);
  EXPECT_TRUE(replies);
  return parse_ehlo_reply(replies->front());
}

TEST(PeerCapabilities, EveryKeywordTheClientUses) {
  auto caps = parse(
      "250-mx.example.net greets you\r\n250-SIZE 10240000\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
      "250-SMTPUTF8\r\n250-DSN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n"
      "250-VRFY\r\n250 ENHANCEDSTATUSCODES\r\n");
  EXPECT_TRUE(caps.esmtp);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 10240000u);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.eight_bit_mime);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.dsn);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.chunking);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_EQ(caps.auth_mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_TRUE(caps.offers_auth("plain"));
  EXPECT_FALSE(caps.offers_auth("CRAM-MD5"));
}

TEST(PeerCapabilities, GreetingLineIsNotAKeyword) {
  auto caps = parse("250-STARTTLS\r\n250 SIZE\r\n");  // a peer named "STARTTLS"
  EXPECT_FALSE(caps.starttls);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 0u);
}

TEST(PeerCapabilities, KeywordsAreCaseInsensitiveAndOldAuthFormCounts) {
  auto caps = parse("250-peer\r\n250-pipelining\r\n250-auth=login\r\n250-Auth cram-md5 login\r\n250 size junk\r\n");
  EXPECT_TRUE(caps.pipelining);
  EXPECT_EQ(caps.auth_mechanisms, (std::vector<std::string>{"LOGIN", "CRAM-MD5"}));
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 0u);  // unreadable: no known limit
}

TEST(PeerCapabilities, NothingOfferedMeansNothingAssumed) {
  auto caps = parse("250 mx.example.net\r\n");
  EXPECT_TRUE(caps.esmtp);
  EXPECT_FALSE(caps.size || caps.pipelining || caps.eight_bit_mime || caps.smtputf8 || caps.dsn || caps.starttls ||
               caps.chunking || caps.enhanced_status_codes);
  EXPECT_TRUE(caps.auth_mechanisms.empty());
}

TEST(PeerCapabilities, EmptyOldAuthFormAddsNoMechanism) {
  auto caps = parse("250-peer\r\n250 AUTH= PLAIN\r\n");
  EXPECT_EQ(caps.auth_mechanisms, std::vector<std::string>{"PLAIN"});
}

TEST(PeerCapabilities, AuthMechanismListIsBounded) {
  std::string line = "250 AUTH";
  for (int i = 0; i < 50; ++i) line += " M" + std::to_string(i);
  line += " " + std::string(41, 'X') + "\r\n";
  auto caps = parse("250-peer\r\n" + line);
  EXPECT_EQ(caps.auth_mechanisms.size(), 32u);
  EXPECT_EQ(caps.auth_mechanisms.front(), "M0");
}

}  // namespace
}  // namespace dirmail::delivery
