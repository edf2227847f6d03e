// The pieces FETCH builds on: the message scanner, BODYSTRUCTURE, INTERNALDATE,
// flag lists, strings and LIST patterns.
#include <gtest/gtest.h>

#include "dirmail/imap/flag_list.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/imap/imap_string.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "dirmail/imap/message_scanner.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {
namespace {

MessageScanner scan_in_chunks(std::string_view message, std::size_t chunk, std::size_t max_header = 1 << 20) {
  MessageScanner s(max_header);
  for (std::size_t i = 0; i < message.size(); i += chunk) s.feed(message.substr(i, chunk));
  return s;
}

TEST(MessageScanner, FindsHeaderEndAcrossChunkBoundaries) {
  std::string message = "Subject: x\r\nTo: y\r\n\r\nline 1\r\nline 2\r\nno newline";
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 100u}) {
    auto s = scan_in_chunks(message, chunk);
    EXPECT_TRUE(s.header_complete());
    EXPECT_EQ(s.header_size(), 21u) << chunk;
    EXPECT_EQ(s.header(), "Subject: x\r\nTo: y\r\n\r\n");
    EXPECT_EQ(s.body_size(), message.size() - 21);
    EXPECT_EQ(s.body_lines(), 2u);
  }
}

TEST(MessageScanner, MessageWithoutBodyIsAllHeader) {
  auto s = scan_in_chunks("Subject: x\r\nTo: y\r\n", 4);
  EXPECT_FALSE(s.header_complete());
  EXPECT_EQ(s.header_size(), 19u);
  EXPECT_EQ(s.body_size(), 0u);
  auto empty_header = scan_in_chunks("\r\nbody\r\n", 3);
  EXPECT_EQ(empty_header.header_size(), 2u);
  EXPECT_EQ(empty_header.body_lines(), 1u);
}

TEST(MessageScanner, KeepsOnlyTheLimitOfTheHeader) {
  std::string message = "A: " + std::string(100, 'a') + "\r\n\r\nbody";
  auto s = scan_in_chunks(message, 10, 20);
  EXPECT_EQ(s.header().size(), 20u);
  EXPECT_TRUE(s.header_truncated());
  EXPECT_EQ(s.header_size(), 107u);  // the size is still exact
}

TEST(ImapDate, InternalDateFormat) {
  EXPECT_EQ(format_internal_date(0), " 1-Jan-1970 00:00:00 +0000");
  EXPECT_EQ(format_internal_date(1709287140), " 1-Mar-2024 09:59:00 +0000");
  EXPECT_EQ(format_internal_date(1734567890), "19-Dec-2024 00:24:50 +0000");
}

TEST(ImapDate, SearchDates) {
  EXPECT_EQ(parse_search_date("1-Jan-1970"), 0);
  EXPECT_EQ(parse_search_date("01-jan-1970"), 0);
  EXPECT_EQ(parse_search_date("1-Mar-2024"), 19783);
  EXPECT_EQ(parse_search_date("29-Feb-2024"), 19782);
  EXPECT_FALSE(parse_search_date("29-Feb-2023").has_value());
  EXPECT_FALSE(parse_search_date("0-Jan-2020").has_value());
  EXPECT_FALSE(parse_search_date("1-Foo-2020").has_value());
  EXPECT_FALSE(parse_search_date("1-Jan-20").has_value());
  EXPECT_FALSE(parse_search_date("1-Jan-1899").has_value());
  EXPECT_FALSE(parse_search_date("123-Jan-2020").has_value());
  EXPECT_EQ(day_of(1709287140), 19783);
  EXPECT_EQ(day_of(-1), -1);
}

TEST(FlagList, SystemFlags) {
  EXPECT_EQ(format_flag_list(0), "()");
  EXPECT_EQ(format_flag_list(store::flag_seen | store::flag_deleted), "(\\Deleted \\Seen)");
}

TEST(ImapString, QuotedOrLiteral) {
  std::string out;
  append_string(out, "a \"b\" \\c");
  EXPECT_EQ(out, "\"a \\\"b\\\" \\\\c\"");
  out.clear();
  append_string(out, "two\r\nlines");
  EXPECT_EQ(out, "{10}\r\ntwo\r\nlines");
  out.clear();
  append_nstring(out, std::nullopt);
  EXPECT_EQ(out, "NIL");
  out.clear();
  append_astring(out, "INBOX");
  append_astring(out, " nil");
  append_astring(out, "NIL");
  EXPECT_EQ(out, "INBOX\" nil\"\"NIL\"");
}

TEST(MailboxNames, ListPatterns) {
  EXPECT_TRUE(is_inbox("inBox"));
  EXPECT_FALSE(is_inbox("INBOX/sub"));
  EXPECT_TRUE(list_pattern_matches("", "*", "INBOX"));
  EXPECT_TRUE(list_pattern_matches("", "%", "INBOX"));
  EXPECT_TRUE(list_pattern_matches("", "inbox", "INBOX"));
  EXPECT_TRUE(list_pattern_matches("", "IN*", "INBOX"));
  EXPECT_TRUE(list_pattern_matches("IN", "B%", "INBOX"));
  EXPECT_TRUE(list_pattern_matches("", "*X", "INBOX"));
  EXPECT_FALSE(list_pattern_matches("", "Sent", "INBOX"));
  EXPECT_FALSE(list_pattern_matches("", "INBOX/%", "INBOX"));
  EXPECT_TRUE(list_pattern_matches("", "a/*", "a/b/c"));
  EXPECT_FALSE(list_pattern_matches("", "a/%", "a/b/c"));
  EXPECT_TRUE(list_pattern_matches("", "a/%/c", "a/b/c"));
  EXPECT_TRUE(list_pattern_matches("", std::string(10000, '*'), "INBOX"));  // no blow-up
}

}  // namespace
}  // namespace dirmail::imap
