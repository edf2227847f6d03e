#include "dirmail/features/auto_reply.hpp"

#include <gtest/gtest.h>

#include "dirmail/base/base64.hpp"

namespace dirmail::features {
namespace {

TEST(AutoReplyRefusal, Rfc3834Rules) {
  EXPECT_EQ(auto_reply_refusal("", "Subject: x\r\n"), "null sender");
  EXPECT_EQ(auto_reply_refusal("MAILER-DAEMON@example.org", ""), "sender is a mail robot");
  EXPECT_EQ(auto_reply_refusal("owner-team@example.org", ""), "sender is a mail robot");
  EXPECT_EQ(auto_reply_refusal("team-request@example.org", ""), "sender is a mail robot");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "Auto-Submitted: auto-replied\r\n"), "Auto-Submitted: auto-replied");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "Auto-Submitted: no\r\n"), "");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "Auto-Submitted: No ; comment\r\n"), "");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "Precedence: Bulk\r\n"), "Precedence: bulk");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "Precedence: first-class\r\n"), "");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "List-Id: Team <team.example.org>\r\n"), "List-Id (a mailing list)");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "List-Unsubscribe: <mailto:x@y>\r\n"),
            "List-Unsubscribe (a mailing list)");
  EXPECT_EQ(auto_reply_refusal("a@example.org", "X-Auto-Response-Suppress: OOF, AutoReply\r\n"),
            "X-Auto-Response-Suppress: oof, autoreply");
  EXPECT_EQ(auto_reply_refusal("person@example.org", "From: person@example.org\r\nSubject: hi\r\n"), "");
}

TEST(EncodeHeaderText, AsciiStaysNonAsciiIsEncodedWords) {
  EXPECT_EQ(encode_header_text("On vacation"), "On vacation");
  EXPECT_EQ(encode_header_text("a\r\nBcc: x@y"), "aBcc: x@y");  // no header injection
  std::string jp = "\xE4\xBC\x91\xE6\x9A\x87\xE4\xB8\xAD\xE3\x81\xA7\xE3\x81\x99";  // 休暇中です
  EXPECT_EQ(encode_header_text(jp), "=?UTF-8?B?" + base64_encode(jp) + "?=");
  // A long text becomes several words, none over 75 characters, no character split.
  std::string lng;
  for (int i = 0; i < 40; ++i) lng += jp;
  std::string enc = encode_header_text(lng);
  std::string joined;
  std::size_t pos = 0;
  while ((pos = enc.find("=?UTF-8?B?", pos)) != std::string::npos) {
    auto end = enc.find("?=", pos + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u);
    auto bytes = base64_decode(enc.substr(pos + 10, end - pos - 10));
    ASSERT_TRUE(bytes);
    joined += *bytes;
    pos = end;
  }
  EXPECT_EQ(joined, lng);
}

TEST(ComposeAutoReply, HeadersThreadAndText) {
  AutoReplyControl c;
  c.subject = "\xE4\xBC\x91\xE6\x9A\x87";  // 休暇
  c.reply_to = "desk@example.test";
  AutoReplyInput in;
  in.user_address = "dave@example.test";
  in.to = "erin@example.org";
  in.original_header = "Subject: Lunch?\r\nMessage-ID: <m1@example.org>\r\nReferences: <m0@example.org>\r\n";
  in.text = "Back on Monday.\n";
  in.hostname = "mail.example.test";
  in.now = 0;
  std::string r = compose_auto_reply(c, in);
  EXPECT_EQ(r.rfind("From: dave@example.test\r\nTo: erin@example.org\r\nReply-To: desk@example.test\r\n", 0), 0u);
  EXPECT_NE(r.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(r.find("In-Reply-To: <m1@example.org>\r\n"), std::string::npos);
  EXPECT_NE(r.find("References: <m0@example.org> <m1@example.org>\r\n"), std::string::npos);
  EXPECT_NE(r.find("Auto-Submitted: auto-replied\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(r.find(base64_encode("Back on Monday.\r\n")), std::string::npos);  // LF became CRLF
  EXPECT_EQ(r.find("multipart"), std::string::npos);
}

TEST(ComposeAutoReply, DefaultSubjectAndEchoWithAndWithoutHeaders) {
  AutoReplyControl c;
  c.echo_message = true;
  AutoReplyInput in;
  in.user_address = "dave@example.test";
  in.to = "erin@example.org";
  in.original_header = "Subject: Lunch?\r\nX-Secret: 1\r\nContent-Type: text/plain\r\n";
  in.echo = in.original_header + "\r\nsee you\r\n";
  in.hostname = "h";
  std::string r = compose_auto_reply(c, in);
  EXPECT_NE(r.find("Subject: Auto-Reply: Lunch?\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Type: multipart/mixed; boundary="), std::string::npos);
  EXPECT_NE(r.find("Content-Type: message/rfc822\r\n"), std::string::npos);
  EXPECT_NE(r.find("X-Secret: 1\r\n"), std::string::npos);
  c.delete_headers = true;
  std::string bare = compose_auto_reply(c, in);
  EXPECT_EQ(bare.find("X-Secret"), std::string::npos);
  EXPECT_NE(bare.find("Content-Type: text/plain\r\n\r\nsee you\r\n"), std::string::npos);
}

}  // namespace
}  // namespace dirmail::features
