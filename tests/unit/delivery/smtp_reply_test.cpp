#include "dirmail/delivery/smtp_reply.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dirmail::delivery {
namespace {

TEST(SmtpReply, SingleLineWithEnhancedCode) {
  auto replies = parse_replies("550 5.1.1 <bob@example.net>: user unknown\r\n");
  ASSERT_TRUE(replies) << replies.error().message;
  ASSERT_EQ(replies->size(), 1u);
  const auto& r = replies->front();
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.klass(), 5);
  EXPECT_EQ(r.enhanced, "5.1.1");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "5.1.1 <bob@example.net>: user unknown");
  EXPECT_EQ(r.summary(), "550 5.1.1 <bob@example.net>: user unknown");
}

TEST(SmtpReply, MultiLineReplyIsOneReply) {
  auto replies = parse_replies("250-mx.example.net Hello\r\n250-SIZE 1000\r\n250 PIPELINING\r\n220 next\r\n");
  ASSERT_TRUE(replies) << replies.error().message;
  ASSERT_EQ(replies->size(), 2u);
  EXPECT_EQ((*replies)[0].lines, (std::vector<std::string>{"mx.example.net Hello", "SIZE 1000", "PIPELINING"}));
  EXPECT_EQ((*replies)[1].code, 220);
}

TEST(SmtpReply, CodeAloneAndBareLfAreAccepted) {
  auto replies = parse_replies("354\n250 \n");
  ASSERT_TRUE(replies) << replies.error().message;
  ASSERT_EQ(replies->size(), 2u);
  EXPECT_EQ((*replies)[0].code, 354);
  EXPECT_EQ((*replies)[0].lines, std::vector<std::string>{""});
  EXPECT_EQ((*replies)[1].summary(), "250");
}

TEST(SmtpReply, EnhancedCodeMustMatchTheReplyClass) {
  EXPECT_EQ(enhanced_status_code(451, "4.7.1 try later"), "4.7.1");
  EXPECT_EQ(enhanced_status_code(250, "2.0.0"), "2.0.0");
  EXPECT_EQ(enhanced_status_code(451, "5.7.1 mismatch"), "");
  EXPECT_EQ(enhanced_status_code(250, "2.0.0x"), "");
  EXPECT_EQ(enhanced_status_code(250, "2.1234.0 too many digits"), "");
  EXPECT_EQ(enhanced_status_code(250, "2..0"), "");
  EXPECT_EQ(enhanced_status_code(354, "3.0.0 no class 3"), "");
  EXPECT_EQ(enhanced_status_code(250, "Ok"), "");
}

TEST(SmtpReply, MalformedLinesAreProtocolErrors) {
  for (const char* bad : {"hello\r\n", "25\r\n", "250x\r\n", "650 six hundred\r\n", "150 one\r\n", "2a0 x\r\n"}) {
    auto replies = parse_replies(bad);
    ASSERT_FALSE(replies) << bad;
    EXPECT_EQ(replies.error().code, ErrorCode::protocol_error) << bad;
  }
}

TEST(SmtpReply, ContinuationWithAnotherCodeIsRefused) {
  auto replies = parse_replies("250-first\r\n550 second\r\n");
  ASSERT_FALSE(replies);
  EXPECT_EQ(replies.error().code, ErrorCode::protocol_error);
}

TEST(SmtpReply, ReplyCutOffIsAnError) {
  auto replies = parse_replies("250-first\r\n250-second\r\n");
  ASSERT_FALSE(replies);
  EXPECT_EQ(replies.error().code, ErrorCode::protocol_error);
}

TEST(SmtpReply, LineAndLineCountLimits) {
  ReplyLimits limits{.max_line = 20, .max_lines = 3};
  EXPECT_TRUE(parse_replies("250 " + std::string(16, 'x') + "\r\n", limits));
  auto long_line = parse_replies("250 " + std::string(17, 'x') + "\r\n", limits);
  ASSERT_FALSE(long_line);
  EXPECT_EQ(long_line.error().code, ErrorCode::limit_exceeded);

  EXPECT_TRUE(parse_replies("250-a\r\n250-b\r\n250 c\r\n", limits));
  auto many = parse_replies("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, ErrorCode::limit_exceeded);
}

TEST(SmtpReply, AssemblerStartsAfreshAfterAnError) {
  ReplyAssembler assembler;
  ASSERT_TRUE(assembler.add_line("250-a"));
  EXPECT_FALSE(assembler.add_line("garbage"));
  auto next = assembler.add_line("220 ready");
  ASSERT_TRUE(next);
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->code, 220);
  EXPECT_EQ((*next)->lines.size(), 1u);
}

TEST(SmtpReply, ControlCharactersInTextAreMasked) {
  auto replies = parse_replies(std::string("550 bad\x1b[31m\0x\r\n", 16));
  ASSERT_TRUE(replies) << replies.error().message;
  EXPECT_EQ((*replies)[0].lines[0], "bad?[31m?x");
}

}  // namespace
}  // namespace dirmail::delivery
