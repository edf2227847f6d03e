#include "dirmail/queue/queue_header.hpp"

#include <gtest/gtest.h>

namespace dirmail::queue {
namespace {

Envelope sample() {
  Envelope e;
  e.sender = "alice@example.test";
  e.recipients = {"bob@example.test", "carol@example.org"};
  e.client_address = "192.0.2.7";
  e.helo = "client.example.test";
  e.auth_user = "alice";
  e.received_at = 1700000000;
  return e;
}

TEST(QueueHeader, RoundTripsWithBodyAfterTheBlankLine) {
  auto header = format_queue_header("0123ABCDxyz", sample());
  ASSERT_TRUE(header.ok());
  std::string file = *header + "Subject: hi\r\n\r\nbody\r\n";
  auto parsed = parse_queue_header(file);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->id, "0123ABCDxyz");
  EXPECT_EQ(parsed->envelope.sender, "alice@example.test");
  EXPECT_EQ(parsed->envelope.recipients, sample().recipients);
  EXPECT_EQ(parsed->envelope.client_address, "192.0.2.7");
  EXPECT_EQ(parsed->envelope.helo, "client.example.test");
  EXPECT_EQ(parsed->envelope.auth_user, "alice");
  EXPECT_EQ(parsed->envelope.received_at, 1700000000);
  EXPECT_EQ(parsed->body_offset, header->size());
  EXPECT_EQ(file.substr(parsed->body_offset), "Subject: hi\r\n\r\nbody\r\n");
}

TEST(QueueHeader, EsmtpAndDsnParametersRoundTripPerRecipient) {
  Envelope e = sample();
  e.body = "8BITMIME";
  e.smtputf8 = true;
  e.dsn_ret = "HDRS";
  e.dsn_envid = "QQ314159";
  e.recipient_dsn = {{"SUCCESS,FAILURE", "rfc822;bob@example.test"}, {"NEVER", ""}};
  auto header = format_queue_header("0123ABCDxyz", e);
  ASSERT_TRUE(header.ok()) << header.error().message;
  auto parsed = parse_queue_header(*header + "\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->envelope.body, "8BITMIME");
  EXPECT_TRUE(parsed->envelope.smtputf8);
  EXPECT_EQ(parsed->envelope.dsn_ret, "HDRS");
  EXPECT_EQ(parsed->envelope.dsn_envid, "QQ314159");
  EXPECT_EQ(parsed->envelope.recipient_dsn, e.recipient_dsn);
}

TEST(QueueHeader, DsnListMustMatchTheRecipientsAndFollowARcpt) {
  Envelope e = sample();
  e.recipient_dsn = {{"NEVER", ""}};
  EXPECT_FALSE(format_queue_header("ID1", e).ok());
  std::string bad = std::string(kQueueFileMagic) + "\nid ID1\nreceived 1\nfrom \nnotify NEVER\nrcpt a@b\n\n";
  EXPECT_FALSE(parse_queue_header(bad).ok());
  // Without any DSN request the list stays empty, as files from before DSN read.
  auto plain = parse_queue_header(*format_queue_header("ID1", sample()));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->envelope.recipient_dsn.empty());
}

TEST(QueueHeader, JournalCopiesRoundTripAndAreBounded) {
  Envelope e = sample();
  e.journal_copies = 1;
  auto header = format_queue_header("ID1", e);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_NE(header->find("\njournal 1\n"), std::string::npos);
  auto parsed = parse_queue_header(*header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->envelope.journal_copies, 1u);
  EXPECT_EQ(parse_queue_header(*format_queue_header("ID1", sample()))->envelope.journal_copies, 0u);
  e.journal_copies = 3;  // more than the two recipients
  EXPECT_FALSE(format_queue_header("ID1", e).ok());
  std::string bad = std::string(kQueueFileMagic) + "\nid ID1\nreceived 1\nfrom \njournal 2\nrcpt a@b\n\n";
  EXPECT_FALSE(parse_queue_header(bad).ok());
  std::string junk = std::string(kQueueFileMagic) + "\nid ID1\nreceived 1\nfrom \njournal x\nrcpt a@b\n\n";
  EXPECT_FALSE(parse_queue_header(junk).ok());
}

TEST(QueueHeader, NullSenderAndOptionalFieldsRoundTrip) {
  Envelope e;
  e.recipients = {"postmaster@example.test"};
  e.received_at = 5;
  auto header = format_queue_header("ID1", e);
  ASSERT_TRUE(header.ok());
  auto parsed = parse_queue_header(*header);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->envelope.sender, "");
  EXPECT_EQ(parsed->envelope.auth_user, "");
  EXPECT_EQ(parsed->envelope.recipients.size(), 1u);
}

TEST(QueueHeader, FormatRefusesUnsafeValues) {
  auto e = sample();
  e.sender = "evil\r\nrcpt injected@example.test";
  EXPECT_EQ(format_queue_header("ID1", e).error().code, ErrorCode::invalid_argument);
  e = sample();
  e.recipients.push_back(std::string("nul\0byte", 8));
  EXPECT_EQ(format_queue_header("ID1", e).error().code, ErrorCode::invalid_argument);
  e = sample();
  e.helo = std::string(1001, 'h');
  EXPECT_EQ(format_queue_header("ID1", e).error().code, ErrorCode::limit_exceeded);
  e = sample();
  e.recipients.clear();
  EXPECT_EQ(format_queue_header("ID1", e).error().code, ErrorCode::invalid_argument);
  e = sample();
  e.recipients.assign(10001, "r@example.test");
  EXPECT_EQ(format_queue_header("ID1", e).error().code, ErrorCode::limit_exceeded);
  e = sample();
  e.recipients.assign(2000, std::string(990, 'r'));  // about 2 MB of header
  EXPECT_EQ(format_queue_header("ID1", e).error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(format_queue_header("../ID", sample()).error().code, ErrorCode::invalid_argument);
}

void expect_malformed(std::string_view text, std::string_view why) {
  auto parsed = parse_queue_header(text);
  ASSERT_FALSE(parsed.ok()) << why;
  EXPECT_NE(parsed.error().message, "") << why;
}

TEST(QueueHeader, ParserRefusesMalformedHeaders) {
  const std::string ok_tail = "received 1\nfrom a@b\nrcpt c@d\n\nbody";
  ASSERT_TRUE(parse_queue_header("DIRMAIL-QUEUE 1\nid X1\n" + ok_tail).ok());
  expect_malformed("", "empty");
  expect_malformed("DIRMAIL-QUEUE 2\nid X1\n" + ok_tail, "wrong version");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nreceived 1\nfrom a@b\nrcpt c@d\n", "no blank line");
  expect_malformed("DIRMAIL-QUEUE 1\n" + ok_tail, "no id");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nid X2\n" + ok_tail, "duplicate id");
  expect_malformed("DIRMAIL-QUEUE 1\nid ../x\n" + ok_tail, "bad id");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nreceived -4\nfrom a@b\nrcpt c@d\n\n", "negative time");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nreceived 12x\nfrom a@b\nrcpt c@d\n\n", "bad time");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nreceived 1\nrcpt c@d\n\n", "no from");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nreceived 1\nfrom a@b\n\n", "no rcpt");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nreceived 1\nfrom a@b\r\nrcpt c@d\n\n", "CR in value");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nBAD KEY\n" + ok_tail, "upper-case key");
  expect_malformed("DIRMAIL-QUEUE 1\nid X1\nhelo " + std::string(1001, 'h') + "\n" + ok_tail, "long value");
}

TEST(QueueHeader, UnknownKeysOfANewerVersionAreSkipped) {
  auto parsed = parse_queue_header("DIRMAIL-QUEUE 1\nid X1\nx-priority 5\nreceived 1\nfrom a@b\nrcpt c@d\n\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->envelope.recipients, std::vector<std::string>{"c@d"});
}

TEST(QueueHeader, HeaderLimits) {
  std::string many = "DIRMAIL-QUEUE 1\nid X1\nreceived 1\nfrom a@b\n";
  for (int i = 0; i < 10001; ++i) many += "rcpt r\n";
  many += "\n";
  expect_malformed(many, "too many recipients");

  std::string huge = "DIRMAIL-QUEUE 1\nid X1\nreceived 1\nfrom a@b\n";
  while (huge.size() <= kMaxQueueHeaderBytes) huge += "x-pad " + std::string(900, 'p') + "\n";
  huge += "rcpt c@d\n\n";
  auto parsed = parse_queue_header(huge);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::queue
