// Who gets a delivery report (RFC 3461 NOTIFY, loop guards) and what of the original
// it returns.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/delivery_report.hpp"

namespace dirmail::queue {
namespace {

TEST(NotifyRequests, FollowsRfc3461) {
  const RecipientDsn none{"", ""};
  EXPECT_TRUE(notify_requests(none, ReportAction::failed, false));
  EXPECT_TRUE(notify_requests(none, ReportAction::delayed, true));
  EXPECT_FALSE(notify_requests(none, ReportAction::delayed, false));
  EXPECT_FALSE(notify_requests(none, ReportAction::delivered, true));
  EXPECT_FALSE(notify_requests(none, ReportAction::relayed, true));

  const RecipientDsn never{"NEVER", ""};
  for (auto a : {ReportAction::failed, ReportAction::delayed, ReportAction::delivered})
    EXPECT_FALSE(notify_requests(never, a, true)) << to_string(a);

  const RecipientDsn success{"success", ""};  // keywords are case-insensitive
  EXPECT_TRUE(notify_requests(success, ReportAction::delivered, false));
  EXPECT_TRUE(notify_requests(success, ReportAction::relayed, false));
  EXPECT_TRUE(notify_requests(success, ReportAction::expanded, false));
  EXPECT_FALSE(notify_requests(success, ReportAction::failed, true));
  EXPECT_FALSE(notify_requests(success, ReportAction::delayed, true));

  const RecipientDsn listed{"FAILURE, DELAY", ""};
  EXPECT_TRUE(notify_requests(listed, ReportAction::failed, false));
  EXPECT_TRUE(notify_requests(listed, ReportAction::delayed, false));
  EXPECT_FALSE(notify_requests(listed, ReportAction::delivered, false));
}

TEST(ReportRefusal, GuardsAgainstLoops) {
  const std::string plain = "Subject: hi\r\n\r\n";
  EXPECT_EQ(report_refusal("alice@example.org", plain, "mail.example.jp"), "");
  EXPECT_EQ(report_refusal("", plain, "mail.example.jp"), "null sender");
  EXPECT_EQ(report_refusal("Mailer-Daemon@example.org", plain, "mail.example.jp"), "sender is a mailer daemon");
  EXPECT_EQ(report_refusal("mailer-daemon", plain, "mail.example.jp"), "sender is a mailer daemon");
  EXPECT_EQ(report_refusal("postmaster@MAIL.example.jp", plain, "mail.example.jp"),
            "sender is this host's postmaster");
  // Another site's postmaster is a person who wants to know.
  EXPECT_EQ(report_refusal("postmaster@example.org", plain, "mail.example.jp"), "");
  EXPECT_EQ(report_refusal(std::string(901, 'a'), plain, "mail.example.jp"), "sender address too long");
  // It is written into To: as it is, so nothing may break the line.
  EXPECT_EQ(report_refusal("a@example.org\r\nBcc: x@example.com", plain, "h"), "sender address malformed");
  EXPECT_EQ(report_refusal("a b@example.org", plain, "h"), "sender address malformed");

  EXPECT_EQ(report_refusal("a@example.org", "Content-Type: multipart/report; report-type=delivery-status\r\n", "h"),
            "message is a delivery report");
  EXPECT_EQ(report_refusal("a@example.org",
                           "content-type: Multipart/Report;\r\n\tboundary=\"b\"; REPORT-TYPE=\"global-delivery-status\"\r\n",
                           "h"),
            "message is a delivery report");
  EXPECT_EQ(report_refusal("a@example.org", "Content-Type: multipart/mixed; report-type=delivery-status\r\n", "h"), "");
  EXPECT_EQ(report_refusal("a@example.org", "Content-Type: multipart/report\r\n", "h"), "");
}

TEST(DecodeXtext, DecodesAndRejects) {
  EXPECT_EQ(decode_xtext(""), "");
  EXPECT_EQ(decode_xtext("abc"), "abc");
  EXPECT_EQ(decode_xtext("a+2Bb+3Dc+20"), "a+b=c ");
  EXPECT_EQ(decode_xtext("+0D+0A"), "\r\n");  // decoded, so callers must sanitize
  EXPECT_FALSE(decode_xtext("a+2"));
  EXPECT_FALSE(decode_xtext("a+2b"));  // hex digits are upper case
  EXPECT_FALSE(decode_xtext("a=b"));
  EXPECT_FALSE(decode_xtext("a b"));
  EXPECT_FALSE(decode_xtext("\xc3\xa9"));
}

TEST(HeaderBlock, EndsBeforeTheEmptyLine) {
  EXPECT_EQ(header_block("A: 1\r\nB: 2\r\n\r\nbody\r\n"), "A: 1\r\nB: 2\r\n");
  EXPECT_EQ(header_block("A: 1\n\nbody"), "A: 1\n");
  EXPECT_EQ(header_block("\r\nbody"), "");
  EXPECT_EQ(header_block("A: 1\r\nB: 2\r\n"), "A: 1\r\nB: 2\r\n");
  EXPECT_EQ(header_block(""), "");
}

class ReadOriginal : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/dirmail-report-XXXXXX";
    fd_ = ::mkstemp(name);
    ASSERT_GE(fd_, 0);
    ::unlink(name);
    ASSERT_TRUE(posix::write_all(fd_, prefix_ + message_, name).ok());
  }
  void TearDown() override { ::close(fd_); }

  Result<std::string> read(const Envelope& e, std::uint64_t cap) {
    return read_original_for_report(e, fd_, prefix_.size(), message_.size(), cap);
  }

  int fd_ = -1;
  const std::string prefix_ = "DIRMAIL-QUEUE 1\nid x\n\n";
  const std::string message_ = "Subject: s\r\nFrom: a@b\r\n\r\nbody line\r\n";
};

TEST_F(ReadOriginal, WholeMessageUnlessHdrsOrOverTheCap) {
  Envelope e;
  auto whole = read(e, 1024);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, message_);

  auto over = read(e, message_.size() - 1);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(*over, "Subject: s\r\nFrom: a@b\r\n");

  e.dsn_ret = "HDRS";
  auto hdrs = read(e, 1024);
  ASSERT_TRUE(hdrs.ok());
  EXPECT_EQ(*hdrs, "Subject: s\r\nFrom: a@b\r\n");
}

TEST(ReadOriginalError, UnreadableFileIsTemporary) {
  auto r = read_original_for_report(Envelope{}, -1, 0, 10, 1024);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::temporary_failure);
}

}  // namespace
}  // namespace dirmail::queue
