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

}  // namespace
}  // namespace dirmail::pop3
