#include "dirmail/features/mail_control.hpp"

#include <gtest/gtest.h>

namespace dirmail::features {
namespace {

MailControl parse(std::string_view text) {
  auto c = parse_mail_control(text);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? std::move(*c) : MailControl{};
}

TEST(MailControl, TheGuidesForwardAndDiscardExample) {
  auto c = parse("[AutoForward]\r\nForwardTo = abc@def.co.jp\r\n[Delivery]\r\nDiscard = Yes          ; do not keep in mailbox\r\n");
  ASSERT_TRUE(c.forward);
  EXPECT_EQ(c.forward->to, "abc@def.co.jp");
  EXPECT_EQ(c.forward->report_to, ForwardSender::sender);
  EXPECT_FALSE(c.forward->size_limit);
  EXPECT_TRUE(c.discard);
  EXPECT_FALSE(c.auto_reply);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(MailControl, TheGuidesVacationAndMovedNotices) {
  auto vacation = parse("[AutoReply]\nRecordReplies=Yes\nSubject=It is during vacation\n");
  ASSERT_TRUE(vacation.auto_reply);
  EXPECT_TRUE(vacation.auto_reply->record_replies);
  EXPECT_EQ(vacation.auto_reply->subject, "It is during vacation");
  EXPECT_FALSE(vacation.discard);
  auto moved = parse("[AutoReply]\nReplyFrom=Postmaster@abc.co.jp\nEchoMessage=Yes\nSubject=Moved\n[Delivery]\nDiscard=Yes\n");
  ASSERT_TRUE(moved.auto_reply);
  EXPECT_EQ(moved.auto_reply->reply_from, "Postmaster@abc.co.jp");
  EXPECT_TRUE(moved.auto_reply->echo_message);
  EXPECT_TRUE(moved.discard);
}

TEST(MailControl, DirmailsNamesForTheDialogsOtherOptions) {
  auto c = parse("[autoforward]\nforwardto=FILE:/etc/dirmail/team.txt\npermitfrom=yes\nReportTo=None\nSizeLimit=0\n"
                 "[AutoReply]\nReplyTo=desk@example.test\nDeleteHeaders=1\nReplyOnce=On\n");
  ASSERT_TRUE(c.forward);
  EXPECT_EQ(c.forward->to, "FILE:/etc/dirmail/team.txt");
  EXPECT_TRUE(c.forward->permit_by_sender);
  EXPECT_EQ(c.forward->report_to, ForwardSender::none);
  EXPECT_EQ(c.forward->size_limit, 0u);
  ASSERT_TRUE(c.auto_reply);
  EXPECT_EQ(c.auto_reply->reply_to, "desk@example.test");
  EXPECT_TRUE(c.auto_reply->delete_headers);
  EXPECT_TRUE(c.auto_reply->reply_once);
  auto admin = parse("[AutoForward]\nForwardTo=a@b.example\nReportTo=Administrator\n");
  EXPECT_EQ(admin.forward->report_to, ForwardSender::administrator);
  auto addr = parse("[AutoForward]\nForwardTo=a@b.example\nReportTo=Bounces@Example.test\n");
  EXPECT_EQ(addr.forward->report_to, ForwardSender::address);
  EXPECT_EQ(addr.forward->report_address, "bounces@example.test");
}

TEST(MailControl, SwitchesTurnPartsOff) {
  EXPECT_FALSE(parse("[Control]\nEnable=No\n[AutoForward]\nForwardTo=a@b.example\n").forward);
  EXPECT_FALSE(parse("[AutoForward]\nEnable=No\nForwardTo=a@b.example\n").forward);
  EXPECT_FALSE(parse("[AutoReply]\nEnable=No\nSubject=x\n").auto_reply);
  EXPECT_FALSE(parse("[AutoForward]\nForwardTo=\n").forward);  // no address, no forward
  EXPECT_TRUE(parse("[AutoReply]\n").auto_reply);               // the section alone replies (AUTORPLY.TXT)
}

TEST(MailControl, UnknownKeysAndBadValuesAreWarningsNotErrors) {
  auto c = parse("\xEF\xBB\xBF; a comment\n[AutoReply]\nProgram=c:\\run.exe\nEchoMessage=perhaps\n[Other]\nx=1\n");
  ASSERT_TRUE(c.auto_reply);
  EXPECT_FALSE(c.auto_reply->echo_message);
  ASSERT_EQ(c.warnings.size(), 4u);
  EXPECT_EQ(c.warnings[0], "line 3: unknown key program ignored");
  EXPECT_EQ(c.warnings[1], "line 4: echomessage must be Yes or No; ignored");
}

TEST(MailControl, MalformedLinesAndSizeAreErrors) {
  auto no_eq = parse_mail_control("[AutoForward]\nForwardTo abc@def.example\n");
  ASSERT_FALSE(no_eq);
  EXPECT_EQ(no_eq.error().message, "line 2: expected KEY=VALUE or [SECTION]");
  EXPECT_FALSE(parse_mail_control("[AutoForward\n"));
  EXPECT_FALSE(parse_mail_control(std::string(max_mail_control_bytes + 1, ';')));
  EXPECT_FALSE(parse_mail_control("x=" + std::string(5000, 'a')));
}

TEST(MailControl, TextInTheEncodingsWindowsToolsWrote) {
  const std::string utf8 = "\xE4\xBC\x91\xE6\x9A\x87\xE4\xB8\xAD";       // 休暇中 in UTF-8
  const std::string sjis = "\x8B\x78\x89\xC9\x92\x86";                     // 休暇中 in Shift_JIS
  const std::string jis = "\x1B$B5Y2KCf\x1B(B";                            // 休暇中 in ISO-2022-JP
  EXPECT_EQ(to_utf8(utf8), utf8);
  EXPECT_EQ(to_utf8(sjis), utf8);
  EXPECT_EQ(to_utf8(jis), utf8);
  EXPECT_EQ(to_utf8("plain"), "plain");
  EXPECT_EQ(to_utf8(std::string("a\xFF" "b")), "a\xEF\xBF\xBD" "b");  // not Shift_JIS either: U+FFFD
}

}  // namespace
}  // namespace dirmail::features
