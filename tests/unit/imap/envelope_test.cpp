#include "dirmail/imap/envelope.hpp"

#include <gtest/gtest.h>

#include "dirmail/imap/address_list.hpp"
#include "dirmail/base/header_fields.hpp"

namespace dirmail::imap {
namespace {

const std::string header =
    "Return-Path: <friend@example.org>\r\n"
    "Received: from client.example.org\r\n"
    "\tby mail.example.test; Fri, 1 Mar 2024 10:00:00 +0000\r\n"
    "Date: Fri, 1 Mar 2024 09:59:00 +0100\r\n"
    "From: \"Friend, Best\" <friend@example.org>\r\n"
    "To: alice@example.test, Bob <bob@example.test>\r\n"
    "Cc: undisclosed-recipients:;\r\n"
    "Subject: Hello\r\n"
    " folded world\r\n"
    "Message-ID: <abc@example.org>\r\n"
    "\r\n";

TEST(HeaderFields, SplitsFoldedFields) {
  const std::string with_body = header + "body: not a field\r\n";
  auto fields = split_header_fields(with_body);
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[1].name, "Received");
  EXPECT_EQ(fields[1].raw, "Received: from client.example.org\r\n\tby mail.example.test; Fri, 1 Mar 2024 10:00:00 +0000\r\n");
  EXPECT_EQ(field_value(fields[6]), "Hello folded world");
  EXPECT_EQ(first_field_value(header, "subject"), "Hello folded world");
  EXPECT_FALSE(first_field_value(header, "Bcc").has_value());
}

TEST(HeaderFields, SkipsLinesThatAreNotFields) {
  auto fields = split_header_fields("garbage line\r\nBad Name: x\r\n: empty\r\nGood: yes\r\n");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].name, "Good");
}

TEST(HeaderFields, FieldCountIsBounded) {
  std::string many;
  for (std::size_t i = 0; i < max_header_fields + 50; ++i) many += "X: y\r\n";
  EXPECT_EQ(split_header_fields(many).size(), max_header_fields);
}

TEST(HeaderFields, FilterKeepsFieldsVerbatimAndEndsWithEmptyLine) {
  std::vector<std::string> names{"SUBJECT", "to"};
  EXPECT_EQ(filter_header_fields(header, names, false),
            "To: alice@example.test, Bob <bob@example.test>\r\nSubject: Hello\r\n folded world\r\n\r\n");
  std::vector<std::string> drop{"Received", "Return-Path", "Date", "From", "To", "Cc", "Message-ID"};
  EXPECT_EQ(filter_header_fields(header, drop, true), "Subject: Hello\r\n folded world\r\n\r\n");
  std::vector<std::string> none{"X-Nothing"};
  EXPECT_EQ(filter_header_fields(header, none, false), "\r\n");
}

TEST(AddressList, NamesRoutesAndGroups) {
  auto a = parse_address_list("\"Doe, John\" <john.doe@example.com>, jane@example.org (Jane Roe), "
                              "team: x@y.test, z@y.test;, <@relay.test:route@example.net>");
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[0].name, "Doe, John");
  EXPECT_EQ(a[0].mailbox, "john.doe");
  EXPECT_EQ(a[0].host, "example.com");
  EXPECT_FALSE(a[0].route.has_value());
  EXPECT_EQ(a[1].name, "Jane Roe");
  EXPECT_EQ(a[1].mailbox, "jane");
  EXPECT_EQ(a[2].mailbox, "team");  // group start
  EXPECT_FALSE(a[2].host.has_value());
  EXPECT_EQ(a[3].mailbox, "x");
  EXPECT_EQ(a[4].host, "y.test");
  EXPECT_FALSE(a[5].mailbox.has_value());  // group end
  EXPECT_FALSE(a[5].host.has_value());
  EXPECT_EQ(a[6].route, "@relay.test");
  EXPECT_EQ(a[6].mailbox, "route");
  EXPECT_EQ(a[6].host, "example.net");
}

TEST(AddressList, LenientWithJunkAndBounded) {
  EXPECT_TRUE(parse_address_list("").empty());
  EXPECT_TRUE(parse_address_list(",,,").empty());
  auto a = parse_address_list("<broken@");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].mailbox, "broken");
  std::string many;
  for (std::size_t i = 0; i < max_addresses + 10; ++i) many += "a@b, ";
  EXPECT_EQ(parse_address_list(many).size(), max_addresses);
  std::string nested(1000, '(');
  EXPECT_TRUE(parse_address_list(nested + "a@b").empty());  // an unterminated comment swallows the rest
}

TEST(Envelope, FormatsAllFieldsWithDefaults) {
  EXPECT_EQ(format_envelope(header),
            "(\"Fri, 1 Mar 2024 09:59:00 +0100\" \"Hello folded world\" "
            "((\"Friend, Best\" NIL \"friend\" \"example.org\")) "
            "((\"Friend, Best\" NIL \"friend\" \"example.org\")) "
            "((\"Friend, Best\" NIL \"friend\" \"example.org\")) "
            "((NIL NIL \"alice\" \"example.test\")(\"Bob\" NIL \"bob\" \"example.test\")) "
            "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
            "NIL NIL \"<abc@example.org>\")");
}

TEST(Envelope, EmptyHeaderIsAllNil) {
  EXPECT_EQ(format_envelope(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(Envelope, EightBitAndQuotesUseLiteralsAndEscapes) {
  std::string h = "Subject: caf\xc3\xa9\r\nIn-Reply-To: \"q\\\" <x@y>\r\n\r\n";
  EXPECT_EQ(format_envelope(h),
            "(NIL {5}\r\ncaf\xc3\xa9 NIL NIL NIL NIL NIL NIL \"\\\"q\\\\\\\" <x@y>\" NIL)");
}

}  // namespace
}  // namespace dirmail::imap
