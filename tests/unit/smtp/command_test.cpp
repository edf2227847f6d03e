#include "dirmail/smtp/command.hpp"

#include <gtest/gtest.h>

namespace dirmail::smtp {
namespace {

TEST(ParseCommand, VerbsAreCaseInsensitive) {
  auto c = parse_command("ehlo client.example.org");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, Verb::ehlo);
  EXPECT_EQ(c->arg, "client.example.org");
  EXPECT_EQ(parse_command("QuIt")->verb, Verb::quit);
  EXPECT_EQ(parse_command("FROB x")->verb, Verb::unknown);
}

TEST(ParseCommand, MailAndRcptNeedTheirKeyword) {
  auto m = parse_command("MAIL FROM:<a@b.example> SIZE=10");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->verb, Verb::mail);
  EXPECT_EQ(m->arg, "<a@b.example> SIZE=10");
  EXPECT_TRUE(parse_command("mail from: <a@b.example>").ok());
  EXPECT_FALSE(parse_command("MAIL <a@b.example>").ok());
  EXPECT_FALSE(parse_command("RCPT FROM:<a@b.example>").ok());
}

TEST(ParseCommand, OverlongLineIsLimitExceeded) {
  auto c = parse_command("NOOP " + std::string(max_command_line, 'x'));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::limit_exceeded);
}

TEST(ParsePath, ReversePath) {
  auto p = parse_reverse_path("<Alice.Smith@Example.TEST>");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->path.local, "Alice.Smith");
  EXPECT_EQ(p->path.domain, "example.test");  // domains are case-insensitive
  EXPECT_EQ(p->path.address(), "Alice.Smith@example.test");
  auto null = parse_reverse_path("<>");
  ASSERT_TRUE(null.ok());
  EXPECT_TRUE(null->path.null());
}

TEST(ParsePath, Params) {
  auto p = parse_reverse_path("<a@b.example> size=100 BODY=8BITMIME");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->params.size(), 2u);
  EXPECT_EQ(p->params[0].first, "SIZE");
  EXPECT_EQ(p->params[0].second, "100");
  EXPECT_EQ(p->params[1].first, "BODY");
}

TEST(ParsePath, QuotedLocalPartAndLiterals) {
  auto q = parse_forward_path("<\"john doe>x\"@example.test>");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->path.local, "\"john doe>x\"");
  EXPECT_TRUE(parse_forward_path("<a@[127.0.0.1]>").ok());
  EXPECT_TRUE(parse_forward_path("<@relay.example:a@example.test>").ok());  // source route ignored
  auto pm = parse_forward_path("<Postmaster>");
  ASSERT_TRUE(pm.ok());
  EXPECT_EQ(pm->path.local, "postmaster");
}

TEST(ParsePath, Rejects) {
  for (const char* bad : {"a@b.example", "<a@b.example", "<>", "<a>", "<a..b@example.test>", "<.a@example.test>",
                          "<a@-bad.example>", "<a@exa mple.test>", "<a@>", "<@example.test>"}) {
    EXPECT_FALSE(parse_forward_path(bad).ok()) << bad;
  }
  EXPECT_FALSE(parse_reverse_path("<a@b.example> =x").ok());
  std::string long_local(65, 'a');
  EXPECT_EQ(parse_forward_path("<" + long_local + "@example.test>").error().code, ErrorCode::limit_exceeded);
  std::string many = "<a@b.example>";
  for (int i = 0; i < 20; ++i) many += " X" + std::to_string(i) + "=1";
  EXPECT_EQ(parse_reverse_path(many).error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::smtp
