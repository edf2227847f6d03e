#include "dirmail/features/attachment_stripper.hpp"

#include <gtest/gtest.h>

namespace dirmail::features {
namespace {

const std::string mixed =
    "From: a@example.org\r\nTo: b@example.test\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
    "--inner\r\nContent-Type: text/plain\r\n\r\nplain text\r\n"
    "--inner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
    "--inner--\r\n"
    "--outer\r\nContent-Type: application/pdf; name=\"q3.pdf\"\r\nContent-Disposition: attachment; filename=\"q3.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
    "--outer\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"logo.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
    "--outer--\r\n";

TEST(AttachmentStripper, LeavesOutAttachmentsKeepsTextAndHeader) {
  auto r = strip_attachments(mixed);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->removed, 2u);
  EXPECT_NE(r->bytes.find("Subject: report\r\n"), std::string::npos);
  EXPECT_NE(r->bytes.find("plain text"), std::string::npos);
  EXPECT_NE(r->bytes.find("<p>html</p>"), std::string::npos);
  EXPECT_EQ(r->bytes.find("q3.pdf"), std::string::npos);
  EXPECT_EQ(r->bytes.find("JVBERi0xLjQK"), std::string::npos);
  EXPECT_EQ(r->bytes.find("logo.png"), std::string::npos);
  EXPECT_EQ(r->bytes.find("\n\n"), std::string::npos);  // CRLF line ends only
  // What is left reads again as the same message with nothing more to remove.
  auto again = strip_attachments(r->bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->removed, 0u);
  EXPECT_EQ(again->bytes, r->bytes);
}

TEST(AttachmentStripper, AMessageWithoutAttachmentsIsUnchanged) {
  std::string plain = "From: a@example.org\r\nSubject: hi\r\n\r\njust text\r\n";
  auto r = strip_attachments(plain);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->removed, 0u);
  EXPECT_EQ(r->bytes, plain);
}

}  // namespace
}  // namespace dirmail::features
