#include "dirmail/pop3/command.hpp"

#include <gtest/gtest.h>

namespace dirmail::pop3 {
namespace {

TEST(ParsePop3Command, Verbs) {
  auto c = parse_pop3_command("retr 3");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, Pop3Verb::retr);
  EXPECT_EQ(c->arg, "3");
  EXPECT_EQ(parse_pop3_command("CAPA")->verb, Pop3Verb::capa);
  EXPECT_EQ(parse_pop3_command("XYZZY")->verb, Pop3Verb::unknown);
}

TEST(ParsePop3Command, PassKeepsSpaces) {
  auto c = parse_pop3_command("PASS  two words ");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->arg, " two words ");
}

TEST(ParsePop3Command, Limits) {
  EXPECT_EQ(parse_pop3_command("USER " + std::string(300, 'a')).error().code, ErrorCode::limit_exceeded);
  EXPECT_FALSE(parse_pop3_command("USER " + std::string(41, 'a')).ok());
  EXPECT_FALSE(parse_pop3_command(std::string("USER a\0b", 8)).ok());
}

TEST(ParsePop3Command, AuthInitialResponseIsBoundByTheLineOnly) {
  // RFC 5034 §4: a base64 initial response is longer than POP3's 40-octet arguments.
  const std::string line = "AUTH PLAIN " + std::string(200, 'A');  // arg views into it
  auto c = parse_pop3_command(line);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, Pop3Verb::auth);
  EXPECT_EQ(c->arg, "PLAIN " + std::string(200, 'A'));
  EXPECT_EQ(parse_pop3_command("AUTH PLAIN " + std::string(250, 'A')).error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::pop3
