// header_addresses(): who a From: (or To:) value names.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../../src/smtp/header_addresses.hpp"

namespace dirmail::smtp {
namespace {

using Addresses = std::vector<std::string>;

TEST(HeaderAddresses, PlainAndAngleForms) {
  EXPECT_EQ(header_addresses(" alice@example.test"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("<alice@example.test>"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses(" Alice Smith <alice@example.test>"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("Alice<alice@example.test>"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("=?utf-8?q?Al=C3=AFce?= < alice@example.test >"), Addresses{"alice@example.test"});
}

TEST(HeaderAddresses, LowerCase) {
  EXPECT_EQ(header_addresses("ALICE@Example.TEST"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("Alice <Alice@EXAMPLE.test>"), Addresses{"alice@example.test"});
}

TEST(HeaderAddresses, QuotedDisplayNameIsSkipped) {
  EXPECT_EQ(header_addresses("\"Smith, Alice\" <alice@example.test>"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("\"evil@forged.test\" <alice@example.test>"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("\"<evil@forged.test>, x\" <alice@example.test>"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("\"a \\\" <evil@forged.test>, \\\\\" <alice@example.test>"),
            Addresses{"alice@example.test"});  // escaped quote and backslash inside the name
  EXPECT_EQ(header_addresses("\"team: x;\" <alice@example.test>"), Addresses{"alice@example.test"});
}

TEST(HeaderAddresses, CommentsAreSkipped) {
  EXPECT_EQ(header_addresses("alice@example.test (Alice Smith)"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("(work) alice@example.test"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("alice@example.test (a, b; c: d)"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("alice@example.test (outer (nested, x) still)"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("alice@example.test (evil@forged.test)"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("Alice (boss) <alice@example.test> (Sales)"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("(only a comment with x@y)"), Addresses{});
}

TEST(HeaderAddresses, SeveralMailboxes) {
  EXPECT_EQ(header_addresses("a@one.test, \"B, b\" <b@two.test>,c@three.test"),
            (Addresses{"a@one.test", "b@two.test", "c@three.test"}));
  EXPECT_EQ(header_addresses("a@one.test, , b@two.test,"), (Addresses{"a@one.test", "b@two.test"}));
}

TEST(HeaderAddresses, Groups) {
  EXPECT_EQ(header_addresses("undisclosed-recipients:;"), Addresses{});
  EXPECT_EQ(header_addresses(" undisclosed-recipients: ;"), Addresses{});
  EXPECT_EQ(header_addresses("team: a@b.test, C <c@d.test>;"), (Addresses{"a@b.test", "c@d.test"}));
  EXPECT_EQ(header_addresses("x@y.test, team: a@b.test;, z@w.test"),
            (Addresses{"x@y.test", "a@b.test", "z@w.test"}));
  EXPECT_EQ(header_addresses("team: a@b.test"), Addresses{"a@b.test"});  // unterminated group
}

TEST(HeaderAddresses, WithoutAnAtSignThereIsNoAddress) {
  EXPECT_EQ(header_addresses(""), Addresses{});
  EXPECT_EQ(header_addresses("   "), Addresses{});
  EXPECT_EQ(header_addresses("Alice"), Addresses{});
  EXPECT_EQ(header_addresses("<>"), Addresses{});
  EXPECT_EQ(header_addresses("Alice <alice>"), Addresses{});
}

TEST(HeaderAddresses, UnterminatedForms) {
  EXPECT_EQ(header_addresses("Alice <alice@example.test"), Addresses{"alice@example.test"});
  EXPECT_EQ(header_addresses("\"Alice <alice@example.test>"), Addresses{});
  EXPECT_EQ(header_addresses("alice@example.test (comment"), Addresses{"alice@example.test"});
}

TEST(HeaderAddresses, AtMostAHundred) {
  std::string value;
  for (int i = 0; i < 150; ++i) value += (i ? ", u" : "u") + std::to_string(i) + "@example.test";
  auto got = header_addresses(value);
  ASSERT_EQ(got.size(), max_header_addresses);
  EXPECT_EQ(got.front(), "u0@example.test");
  EXPECT_EQ(got.back(), "u99@example.test");
}

// A comment is dropped whole (RFC 5322 §3.2.2), with any "<addr>" or quoted-pair in
// it: either, taken for an address or a parenthesis, would let an authenticated user
// send From: someone else past sender_trust = envelope_and_from.
TEST(HeaderAddresses, AngleAddressInACommentIsNotTheAddress) {
  EXPECT_EQ(header_addresses("forged@evil.test (<me@example.test>)"), Addresses{"forged@evil.test"});
  EXPECT_EQ(header_addresses("Boss <forged@evil.test> (<me@example.test>)"), Addresses{"forged@evil.test"});
}

TEST(HeaderAddresses, QuotedPairInACommentDoesNotHideTheNextMailbox) {
  EXPECT_EQ(header_addresses("me@example.test (\\(), forged@evil.test"),
            (Addresses{"me@example.test", "forged@evil.test"}));
}

}  // namespace
}  // namespace dirmail::smtp
