// The composed delivery reports, read back by report_reader.hpp and by GMime.
#include "dirmail/queue/delivery_report.hpp"

#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <mutex>

#include "dirmail/base/base64.hpp"
#include "report_reader.hpp"

namespace dirmail::queue {
namespace {

using testing::dsn_groups;
using testing::field;
using testing::read_report;

constexpr std::int64_t kArrival = 1'780'000'000;  // Thu, 28 May 2026
constexpr std::int64_t kNow = kArrival + 3600;

const std::string kOriginal =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: quarterly figures\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "\r\n"
    "The figures are attached.\r\n"
    "BODY-MARKER\r\n";

Envelope envelope(std::vector<std::string> recipients = {"bob@example.net"}) {
  Envelope e;
  e.sender = "alice@example.org";
  e.recipients = std::move(recipients);
  e.received_at = kArrival;
  return e;
}

ReportOptions options() {
  ReportOptions o;
  o.reporting_mta = "mail.example.jp";
  o.now = kNow;
  return o;
}

RecipientOutcome failed(std::size_t index = 0) {
  RecipientOutcome o;
  o.index = index;
  o.action = ReportAction::failed;
  o.status = "5.1.1";
  o.diagnostic = "550 5.1.1 <bob@example.net>: user unknown";
  o.remote_mta = "mx.example.net";
  o.last_attempt = kNow - 10;
  return o;
}

RecipientOutcome delayed(std::size_t index = 0) {
  RecipientOutcome o;
  o.index = index;
  o.action = ReportAction::delayed;
  o.status = "4.4.1";
  o.diagnostic = "connection timed out";
  o.diagnostic_type = "x-dirmail";
  o.last_attempt = kNow - 10;
  o.retry_until = kArrival + 86400;
  return o;
}

OriginalMessage whole(const std::string& bytes) { return {bytes, bytes.size()}; }

std::string decoded_text(const testing::Part& part) {
  std::string joined;
  for (char c : part.body)
    if (c != '\r' && c != '\n') joined += c;
  auto text = base64_decode(joined);
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : std::string();
}

// Every line ends in CR LF and none is longer than 998 octets (RFC 5322 §2.1.1).
void expect_clean_lines(const std::string& message) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\r') {
      ASSERT_EQ(message[i + 1], '\n') << "bare CR at " << i;
    }
    if (message[i] == '\n') {
      ASSERT_GT(i, 0u);
      ASSERT_EQ(message[i - 1], '\r') << "bare LF at " << i;
      EXPECT_LE(i - 1 - start, 998u) << message.substr(start, 80);
      start = i + 1;
    }
  }
  EXPECT_EQ(start, message.size()) << "message does not end with CRLF";
}

TEST(DeliveryReport, FailureReportHasTheThreePartsAndTheRequiredFields) {
  auto e = envelope();
  auto outcomes = std::vector{failed()};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->envelope.sender, "");
  EXPECT_EQ(mail->envelope.recipients, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(mail->envelope.received_at, kNow);
  EXPECT_FALSE(mail->envelope.smtputf8);
  EXPECT_EQ(mail->envelope.body, "");
  expect_clean_lines(mail->message);

  auto r = read_report(mail->message);
  EXPECT_EQ(field(r.fields, "from"), "Mail Delivery System <MAILER-DAEMON@mail.example.jp>");
  EXPECT_EQ(field(r.fields, "to"), "<alice@example.org>");
  EXPECT_EQ(field(r.fields, "subject"), "Undelivered Mail Returned to Sender");
  EXPECT_EQ(field(r.fields, "date"), "Thu, 28 May 2026 21:26:40 +0000");
  EXPECT_TRUE(field(r.fields, "message-id").ends_with("@mail.example.jp>"));
  EXPECT_EQ(field(r.fields, "auto-submitted"), "auto-replied");
  EXPECT_EQ(field(r.fields, "mime-version"), "1.0");
  EXPECT_TRUE(field(r.fields, "content-type").starts_with("multipart/report; report-type=delivery-status;"));
  ASSERT_TRUE(r.closed);
  ASSERT_EQ(r.parts.size(), 3u);

  EXPECT_EQ(field(r.parts[0].fields, "content-type"), "text/plain; charset=UTF-8");
  std::string text = decoded_text(r.parts[0]);
  EXPECT_NE(text.find("<bob@example.net>"), std::string::npos) << text;
  EXPECT_NE(text.find("550 5.1.1 <bob@example.net>: user unknown"), std::string::npos) << text;
  EXPECT_NE(text.find("配送できませんでした"), std::string::npos) << text;

  EXPECT_EQ(field(r.parts[1].fields, "content-type"), "message/delivery-status");
  auto groups = dsn_groups(r.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(field(groups[0], "reporting-mta"), "dns; mail.example.jp");
  EXPECT_EQ(field(groups[0], "arrival-date"), "Thu, 28 May 2026 20:26:40 +0000");
  EXPECT_EQ(field(groups[0], "original-envelope-id"), "<absent>");
  EXPECT_EQ(field(groups[1], "final-recipient"), "rfc822; bob@example.net");
  EXPECT_EQ(field(groups[1], "action"), "failed");
  EXPECT_EQ(field(groups[1], "status"), "5.1.1");
  EXPECT_EQ(field(groups[1], "remote-mta"), "dns; mx.example.net");
  EXPECT_EQ(field(groups[1], "diagnostic-code"), "smtp; 550 5.1.1 <bob@example.net>: user unknown");
  EXPECT_EQ(field(groups[1], "last-attempt-date"), "Thu, 28 May 2026 21:26:30 +0000");
  EXPECT_EQ(field(groups[1], "will-retry-until"), "<absent>");
  EXPECT_EQ(field(groups[1], "original-recipient"), "<absent>");

  // No RET: the whole original comes back (its last CRLF belongs to the delimiter).
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "message/rfc822");
  EXPECT_EQ(r.parts[2].body + "\r\n", kOriginal);
}

TEST(DeliveryReport, RetHdrsReturnsTheHeaderOnly) {
  auto e = envelope();
  e.dsn_ret = "HDRS";
  auto outcomes = std::vector{failed()};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  auto r = read_report(mail->message);
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "text/rfc822-headers");
  EXPECT_NE(r.parts[2].body.find("Subject: quarterly figures"), std::string::npos);
  EXPECT_EQ(mail->message.find("BODY-MARKER"), std::string::npos);
}

TEST(DeliveryReport, RetFullIsTheDefaultAndHonoured) {
  auto e = envelope();
  e.dsn_ret = "FULL";
  auto outcomes = std::vector{failed()};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  EXPECT_NE(mail->message.find("BODY-MARKER"), std::string::npos);
}

TEST(DeliveryReport, AnOriginalOverTheCapReturnsItsHeaderOnly) {
  auto e = envelope();
  e.dsn_ret = "FULL";
  auto outcomes = std::vector{failed()};
  auto o = options();
  o.max_returned_size = kOriginal.size() - 1;
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, o);
  ASSERT_TRUE(mail);
  auto r = read_report(mail->message);
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "text/rfc822-headers");
  EXPECT_EQ(mail->message.find("BODY-MARKER"), std::string::npos);

  // Only the header at hand (the caller read no more): the header, whatever the cap.
  std::string header_only = kOriginal.substr(0, kOriginal.find("\r\n\r\n") + 2);
  mail = compose_delivery_report(e, {header_only, kOriginal.size()}, outcomes, options());
  ASSERT_TRUE(mail);
  r = read_report(mail->message);
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "text/rfc822-headers");
  EXPECT_EQ(r.parts[2].body + "\r\n", header_only);
}

TEST(DeliveryReport, EnvidAndOrcptAreXtextDecoded) {
  auto e = envelope();
  e.dsn_envid = "QQ+2B314+3Dx";
  e.recipient_dsn = {{"FAILURE", "rfc822;bob+2Bsales@example.net"}};
  auto outcomes = std::vector{failed()};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  auto groups = dsn_groups(read_report(mail->message).parts.at(1).body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(field(groups[0], "original-envelope-id"), "QQ+314=x");
  EXPECT_EQ(field(groups[1], "original-recipient"), "rfc822; bob+sales@example.net");

  // Malformed xtext is left out rather than guessed at.
  e.dsn_envid = "bad+2";
  e.recipient_dsn = {{"FAILURE", "rfc822;x+zz@example.net"}};
  mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  groups = dsn_groups(read_report(mail->message).parts.at(1).body);
  EXPECT_EQ(field(groups[0], "original-envelope-id"), "<absent>");
  EXPECT_EQ(field(groups[1], "original-recipient"), "<absent>");
}

TEST(DeliveryReport, NotifyNeverOrWithoutFailureGetsNoBounce) {
  auto e = envelope();
  auto outcomes = std::vector{failed()};
  e.recipient_dsn = {{"NEVER", ""}};
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));
  e.recipient_dsn = {{"SUCCESS,DELAY", ""}};
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));
  e.recipient_dsn = {{"DELAY,FAILURE", ""}};
  EXPECT_TRUE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));
}

TEST(DeliveryReport, OnlyTheRecipientsWhoseNotifyAsksAreListed) {
  auto e = envelope({"a@example.net", "b@example.net", "c@example.net"});
  e.recipient_dsn = {{"NEVER", ""}, {"", ""}, {"FAILURE", ""}};
  auto outcomes = std::vector{failed(0), failed(1), failed(2)};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  auto groups = dsn_groups(read_report(mail->message).parts.at(1).body);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(field(groups[1], "final-recipient"), "rfc822; b@example.net");
  EXPECT_EQ(field(groups[2], "final-recipient"), "rfc822; c@example.net");
}

TEST(DeliveryReport, DelayNoticeCarriesWillRetryUntilAndTheHeaderOnly) {
  auto e = envelope();
  e.dsn_ret = "FULL";
  auto outcomes = std::vector{delayed()};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  auto r = read_report(mail->message);
  EXPECT_EQ(field(r.fields, "subject"), "Delayed Mail (still being retried)");
  ASSERT_EQ(r.parts.size(), 3u);
  auto groups = dsn_groups(r.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(field(groups[1], "action"), "delayed");
  EXPECT_EQ(field(groups[1], "status"), "4.4.1");
  EXPECT_EQ(field(groups[1], "diagnostic-code"), "x-dirmail; connection timed out");
  EXPECT_EQ(field(groups[1], "will-retry-until"), "Fri, 29 May 2026 20:26:40 +0000");
  EXPECT_EQ(field(groups[1], "remote-mta"), "<absent>");
  // RET concerns failure reports (RFC 3461 §4.3).
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "text/rfc822-headers");
  EXPECT_NE(decoded_text(r.parts[0]).find("再送の必要はありません"), std::string::npos);

  auto quiet = options();
  quiet.delays_by_default = false;
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, quiet));
  e.recipient_dsn = {{"DELAY", ""}};
  EXPECT_TRUE(compose_delivery_report(e, whole(kOriginal), outcomes, quiet));
}

TEST(DeliveryReport, SuccessReportOnlyWhenAskedFor) {
  auto e = envelope();
  RecipientOutcome ok;
  ok.action = ReportAction::relayed;
  ok.status = "2.0.0";
  auto outcomes = std::vector{ok};
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));
  e.recipient_dsn = {{"SUCCESS", ""}};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  auto r = read_report(mail->message);
  EXPECT_EQ(field(r.fields, "subject"), "Successful Mail Delivery Report");
  auto groups = dsn_groups(r.parts.at(1).body);
  EXPECT_EQ(field(groups.at(1), "action"), "relayed");
  EXPECT_EQ(field(groups.at(1), "status"), "2.0.0");
}

TEST(DeliveryReport, NoReportToTheNullSenderOrAboutAReport) {
  auto outcomes = std::vector{failed()};
  auto e = envelope();
  e.sender = "";
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));
  e.sender = "MAILER-DAEMON@example.org";
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));
  e.sender = "postmaster@mail.example.jp";
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), outcomes, options()));

  e = envelope();
  std::string bounce =
      "From: someone@example.org\r\n"
      "Content-Type: multipart/report;\r\n"
      " report-type=\"Delivery-Status\"; boundary=x\r\n"
      "\r\n--x--\r\n";
  EXPECT_FALSE(compose_delivery_report(e, whole(bounce), outcomes, options()));
  // A read receipt is a report too, but not a delivery report: its failure is reported.
  std::string receipt =
      "From: someone@example.org\r\n"
      "Content-Type: multipart/report; report-type=disposition-notification; boundary=x\r\n"
      "\r\n--x--\r\n";
  EXPECT_TRUE(compose_delivery_report(e, whole(receipt), outcomes, options()));
}

TEST(DeliveryReport, DiagnosticFromThePeerCannotAddLinesOrFields) {
  auto e = envelope();
  auto o = failed();
  o.diagnostic = "550-5.1.1 no such user\r\nBcc: victim@example.com\r\n550 5.1.1 \x01gone\x7f";
  o.remote_mta = "mx.example.net\r\nX-Evil: 1";
  auto outcomes = std::vector{o};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  expect_clean_lines(mail->message);
  EXPECT_EQ(mail->message.find("\nBcc:"), std::string::npos);
  EXPECT_EQ(mail->message.find("\nX-Evil:"), std::string::npos);
  auto groups = dsn_groups(read_report(mail->message).parts.at(1).body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(field(groups[1], "diagnostic-code"),
            "smtp; 550-5.1.1 no such user Bcc: victim@example.com 550 5.1.1 gone");
  EXPECT_EQ(field(groups[1], "remote-mta"), "<absent>");
  EXPECT_EQ(groups[1].count("bcc"), 0u);
}

TEST(DeliveryReport, HostNameCannotBreakALine) {
  auto o = options();
  o.reporting_mta = "mail.example.jp\r\nBcc: x@example.com";
  auto mail = compose_delivery_report(envelope(), whole(kOriginal), std::vector{failed()}, o);
  ASSERT_TRUE(mail);
  expect_clean_lines(mail->message);
  EXPECT_EQ(mail->message.find("\nBcc:"), std::string::npos);
  auto r = read_report(mail->message);
  EXPECT_EQ(field(r.fields, "from"), "Mail Delivery System <MAILER-DAEMON@mail.example.jpBcc:x@example.com>");
}

TEST(DeliveryReport, LongDiagnosticsAreFoldedAndBounded) {
  auto e = envelope();
  auto spaced = failed();
  for (int i = 0; i < 500; ++i) spaced.diagnostic += " word" + std::to_string(i);
  auto solid = failed(0);
  solid.diagnostic = "550 " + std::string(5000, 'x');
  auto outcomes = std::vector{spaced, solid};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  expect_clean_lines(mail->message);
  auto groups = dsn_groups(read_report(mail->message).parts.at(1).body);
  ASSERT_EQ(groups.size(), 3u);
  auto first = field(groups[1], "diagnostic-code");
  EXPECT_TRUE(first.starts_with("smtp; 550 5.1.1 <bob@example.net>: user unknown word0 word1"));
  EXPECT_LE(first.size(), 910u);
  EXPECT_GT(first.size(), 800u);
  // The folded field's lines are short: the composer folds rather than cuts.
  auto dsn = read_report(mail->message).parts.at(1).body;
  EXPECT_NE(dsn.find("\r\n word"), std::string::npos);
}

TEST(DeliveryReport, RecipientCountIsCapped) {
  auto e = envelope({"r0@example.net", "r1@example.net", "r2@example.net", "r3@example.net", "r4@example.net"});
  auto outcomes = std::vector{failed(0), failed(1), failed(2), failed(3), failed(4)};
  auto o = options();
  o.max_recipients = 2;
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, o);
  ASSERT_TRUE(mail);
  auto r = read_report(mail->message);
  EXPECT_EQ(dsn_groups(r.parts.at(1).body).size(), 3u);
  EXPECT_NE(decoded_text(r.parts[0]).find("3 more recipients"), std::string::npos);
}

TEST(DeliveryReport, JournalCopiesAndUnknownIndexesAreNotReported) {
  auto e = envelope({"bob@example.net", "journal@example.jp"});
  e.journal_copies = 1;
  EXPECT_FALSE(compose_delivery_report(e, whole(kOriginal), std::vector{failed(1), failed(7)}, options()));
  auto mail = compose_delivery_report(e, whole(kOriginal), std::vector{failed(0), failed(1)}, options());
  ASSERT_TRUE(mail);
  EXPECT_EQ(dsn_groups(read_report(mail->message).parts.at(1).body).size(), 2u);
  EXPECT_EQ(mail->message.find("journal@example.jp"), std::string::npos);
}

TEST(DeliveryReport, StatusCodesOfTheWrongShapeOrClassBecomeGeneric) {
  auto e = envelope({"a@example.net", "b@example.net", "c@example.net", "d@example.net"});
  auto bad = failed(0);
  bad.status = "9.9.9";
  auto expired = failed(1);
  expired.status = "4.4.7";  // retries ran out on a temporary failure
  auto long_detail = failed(2);
  long_detail.status = "5.1.1234";
  auto wrong_class = delayed(3);
  wrong_class.status = "2.0.0";
  auto outcomes = std::vector{bad, expired, long_detail, wrong_class};
  auto mail = compose_delivery_report(e, whole(kOriginal), outcomes, options());
  ASSERT_TRUE(mail);
  auto groups = dsn_groups(read_report(mail->message).parts.at(1).body);
  ASSERT_EQ(groups.size(), 5u);
  EXPECT_EQ(field(groups[1], "status"), "5.0.0");
  EXPECT_EQ(field(groups[2], "status"), "4.4.7");
  EXPECT_EQ(field(groups[3], "status"), "5.0.0");
  EXPECT_EQ(field(groups[4], "status"), "4.0.0");
}

TEST(DeliveryReport, SmtputfOriginalsGetGlobalTypes) {
  Envelope e;
  e.sender = "たろう@例え.jp";
  e.recipients = {"はなこ@example.net"};
  e.received_at = kArrival;
  e.smtputf8 = true;
  e.recipient_dsn = {{"", "utf-8;+E3+81+AF\\x{306A}@example.net"}};
  std::string original = "From: たろう@例え.jp\r\nSubject: 会議\r\n\r\n本文\r\n";
  auto mail = compose_delivery_report(e, whole(original), std::vector{failed()}, options());
  ASSERT_TRUE(mail);
  EXPECT_TRUE(mail->envelope.smtputf8);
  EXPECT_EQ(mail->envelope.body, "8BITMIME");
  expect_clean_lines(mail->message);
  auto r = read_report(mail->message);
  EXPECT_TRUE(field(r.fields, "content-type").starts_with("multipart/report; report-type=global-delivery-status;"));
  EXPECT_EQ(field(r.fields, "to"), "<たろう@例え.jp>");
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(field(r.parts[1].fields, "content-type"), "message/global-delivery-status");
  EXPECT_EQ(field(r.parts[1].fields, "content-transfer-encoding"), "8bit");
  auto groups = dsn_groups(r.parts[1].body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(field(groups[1], "final-recipient"), "utf-8; はなこ@example.net");
  EXPECT_EQ(field(groups[1], "original-recipient"), "utf-8; はな@example.net");
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "message/global");
  EXPECT_EQ(r.parts[2].body + "\r\n", original);
}

TEST(DeliveryReport, EightBitBodyIsMarkedAndNeedsEightBitMime) {
  auto e = envelope();
  e.body = "8BITMIME";
  std::string original = "From: alice@example.org\r\nSubject: x\r\n\r\n\xe6\x97\xa5\xe6\x9c\xac\r\n";
  auto mail = compose_delivery_report(e, whole(original), std::vector{failed()}, options());
  ASSERT_TRUE(mail);
  EXPECT_FALSE(mail->envelope.smtputf8);
  EXPECT_EQ(mail->envelope.body, "8BITMIME");
  auto r = read_report(mail->message);
  EXPECT_TRUE(field(r.fields, "content-type").starts_with("multipart/report; report-type=delivery-status;"));
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(field(r.parts[1].fields, "content-transfer-encoding"), "<absent>");
  EXPECT_EQ(field(r.parts[2].fields, "content-type"), "message/rfc822");
  EXPECT_EQ(field(r.parts[2].fields, "content-transfer-encoding"), "8bit");
}

TEST(DeliveryReport, BoundaryNeverOccursInTheReturnedMessage) {
  // The original quotes many would-be delimiters; the composer's must differ from all.
  std::string original = "Subject: x\r\n\r\n";
  for (int i = 0; i < 50; ++i) original += "--=_dirmail_report_\r\n";
  auto mail = compose_delivery_report(envelope(), whole(original), std::vector{failed()}, options());
  ASSERT_TRUE(mail);
  auto r = read_report(mail->message);
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(r.parts[2].body + "\r\n", original);
}

TEST(AdminCopy, FailuresAreCopiedToTheAdministrator) {
  auto e = envelope({"bob@example.net", "carol@example.net"});
  e.recipient_dsn = {{"NEVER", ""}, {"NEVER", ""}};
  auto outcomes = std::vector{failed(0), delayed(1)};
  AdminCopyOptions admin{true, "Administrator@example.jp"};
  auto mails = compose_delivery_reports(e, whole(kOriginal), outcomes, options(), admin);
  // The sender asked for nothing; the administrator gets the failure anyway.
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].envelope.sender, "");
  EXPECT_EQ(mails[0].envelope.recipients, std::vector<std::string>{"Administrator@example.jp"});
  auto r = read_report(mails[0].message);
  EXPECT_EQ(field(r.fields, "to"), "<Administrator@example.jp>");
  EXPECT_EQ(field(r.fields, "subject"), "Postmaster Copy: Undelivered Mail");
  auto groups = dsn_groups(r.parts.at(1).body);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(field(groups[1], "final-recipient"), "rfc822; bob@example.net");

  e.recipient_dsn.clear();
  mails = compose_delivery_reports(e, whole(kOriginal), outcomes, options(), admin);
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].envelope.recipients, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(mails[1].envelope.recipients, std::vector<std::string>{"Administrator@example.jp"});
}

TEST(AdminCopy, RefusedWhenOffLoopingOrDuplicate) {
  auto outcomes = std::vector{failed()};
  auto e = envelope();
  EXPECT_FALSE(compose_admin_copy(e, whole(kOriginal), outcomes, options(), {false, "admin@example.jp"}));
  // A name without a domain loops (spec §4.3): refused.
  EXPECT_FALSE(compose_admin_copy(e, whole(kOriginal), outcomes, options(), {true, "Administrator"}));
  EXPECT_FALSE(compose_admin_copy(e, whole(kOriginal), outcomes, options(), {true, "admin@"}));
  // The administrator's own mail: its bounce reaches it already.
  e.sender = "ADMIN@example.jp";
  EXPECT_FALSE(compose_admin_copy(e, whole(kOriginal), outcomes, options(), {true, "admin@example.jp"}));
  // A failed bounce (or admin copy) is never copied: that is how copies would loop.
  e.sender = "";
  EXPECT_FALSE(compose_admin_copy(e, whole(kOriginal), outcomes, options(), {true, "admin@example.jp"}));
  // Delays are not error mail.
  e = envelope();
  EXPECT_FALSE(compose_admin_copy(e, whole(kOriginal), std::vector{delayed()}, options(), {true, "admin@example.jp"}));
  EXPECT_TRUE(compose_admin_copy(e, whole(kOriginal), outcomes, options(), {true, "admin@example.jp"}));
}

// GMime, an independent MIME parser, sees the structure the composer meant.
TEST(DeliveryReport, GmimeParsesTheReport) {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  auto e = envelope();
  e.dsn_envid = "id1";
  auto mail = compose_delivery_report(e, whole(kOriginal), std::vector{failed()}, options());
  ASSERT_TRUE(mail);
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(mail->message.data(), mail->message.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  ASSERT_NE(message, nullptr);
  GMimeObject* body = g_mime_message_get_mime_part(message);
  ASSERT_TRUE(GMIME_IS_MULTIPART(body));
  GMimeContentType* type = g_mime_object_get_content_type(body);
  EXPECT_TRUE(g_mime_content_type_is_type(type, "multipart", "report"));
  EXPECT_STREQ(g_mime_content_type_get_parameter(type, "report-type"), "delivery-status");
  auto* multipart = GMIME_MULTIPART(body);
  ASSERT_EQ(g_mime_multipart_get_count(multipart), 3);
  EXPECT_TRUE(g_mime_content_type_is_type(g_mime_object_get_content_type(g_mime_multipart_get_part(multipart, 0)),
                                          "text", "plain"));
  EXPECT_TRUE(g_mime_content_type_is_type(g_mime_object_get_content_type(g_mime_multipart_get_part(multipart, 1)),
                                          "message", "delivery-status"));
  GMimeObject* returned = g_mime_multipart_get_part(multipart, 2);
  ASSERT_TRUE(GMIME_IS_MESSAGE_PART(returned));
  GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(returned));
  ASSERT_NE(inner, nullptr);
  EXPECT_STREQ(g_mime_message_get_subject(inner), "quarterly figures");
  EXPECT_STREQ(g_mime_message_get_subject(message), "Undelivered Mail Returned to Sender");
  g_object_unref(message);
  g_object_unref(parser);
  g_object_unref(stream);
}

}  // namespace
}  // namespace dirmail::queue
