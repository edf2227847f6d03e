#include "dirmail/imap/search_key.hpp"

#include <gtest/gtest.h>

#include "dirmail/imap/command.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {
namespace {

SearchKey criteria(const std::string& text) {
  auto c = parse_imap_command("s SEARCH " + text);
  EXPECT_TRUE(c.ok()) << text;
  return c.ok() ? c->search : SearchKey{};
}

SearchFacts message(std::uint32_t seq, std::uint32_t uid, std::uint8_t flags, std::uint64_t size = 100,
                    std::int64_t date = 1709287140) {
  return SearchFacts{seq, uid, 5, 50, flags, size, date};
}

TEST(SearchMatches, Flags) {
  auto seen = message(1, 10, store::flag_seen);
  auto deleted = message(2, 20, store::flag_deleted);
  EXPECT_TRUE(search_matches(criteria("ALL"), seen));
  EXPECT_TRUE(search_matches(criteria("SEEN"), seen));
  EXPECT_FALSE(search_matches(criteria("UNSEEN"), seen));
  EXPECT_TRUE(search_matches(criteria("UNSEEN DELETED"), deleted));
  EXPECT_FALSE(search_matches(criteria("UNDELETED"), deleted));
  EXPECT_TRUE(search_matches(criteria("OR SEEN DELETED"), deleted));
  EXPECT_TRUE(search_matches(criteria("NOT SEEN"), deleted));
  EXPECT_FALSE(search_matches(criteria("(SEEN DELETED)"), deleted));
  EXPECT_FALSE(search_matches(criteria("NEW"), deleted));
  EXPECT_TRUE(search_matches(criteria("OLD"), deleted));
  EXPECT_FALSE(search_matches(criteria("KEYWORD $Junk"), deleted));
}

TEST(SearchMatches, NumbersUidsSizesAndDates) {
  auto m = message(3, 30, 0, 2048, 1709287140);  // 1-Mar-2024
  EXPECT_TRUE(search_matches(criteria("2:3"), m));
  EXPECT_FALSE(search_matches(criteria("1,4:5"), m));
  EXPECT_TRUE(search_matches(criteria("4:*"), message(5, 50, 0)));
  EXPECT_TRUE(search_matches(criteria("UID 30"), m));
  EXPECT_TRUE(search_matches(criteria("UID 25:*"), m));
  EXPECT_FALSE(search_matches(criteria("UID 31:40"), m));
  EXPECT_TRUE(search_matches(criteria("LARGER 2047"), m));
  EXPECT_FALSE(search_matches(criteria("LARGER 2048"), m));
  EXPECT_TRUE(search_matches(criteria("SMALLER 2049"), m));
  EXPECT_TRUE(search_matches(criteria("ON 1-Mar-2024"), m));
  EXPECT_TRUE(search_matches(criteria("SINCE 1-Mar-2024"), m));
  EXPECT_FALSE(search_matches(criteria("BEFORE 1-Mar-2024"), m));
  EXPECT_TRUE(search_matches(criteria("BEFORE \"2-Mar-2024\""), m));
}

TEST(SearchMatches, ContentKeysAreUnknownUntilTheContentIsGiven) {
  auto seen = message(1, 10, store::flag_seen);
  EXPECT_EQ(search_evaluate(criteria("SUBJECT x"), seen), SearchMatch::unknown);
  EXPECT_EQ(search_evaluate(criteria("OR SEEN SUBJECT x"), seen), SearchMatch::yes);   // decided without it
  EXPECT_EQ(search_evaluate(criteria("UNSEEN SUBJECT x"), seen), SearchMatch::no);
  EXPECT_EQ(search_evaluate(criteria("NOT SUBJECT x"), seen), SearchMatch::unknown);
  EXPECT_FALSE(search_matches(criteria("SUBJECT x"), seen));
  auto needs = search_needs(criteria("OR FROM a (SUBJECT b SENTON 1-Mar-2024) HEADER from c"));
  EXPECT_EQ(needs.fields, (std::vector<std::string>{"From", "Subject", "Date"}));
  EXPECT_FALSE(needs.body);
  EXPECT_FALSE(needs.whole_header);
  needs = search_needs(criteria("TEXT x"));
  EXPECT_TRUE(needs.body && needs.whole_header);
}

TEST(SearchMatches, HeaderFieldsBodyTextAndSentDates) {
  SearchContent content;
  content.header = "From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\n"
                   "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= Report\r\n"
                   "X-Spam-Flag: NO\r\n\r\n";
  content.text = "Dear Team,\nthe Quarterly figures\n";
  content.sent_day = 19783;  // 1-Mar-2024
  auto m = message(1, 10, 0);
  m.content = &content;
  EXPECT_TRUE(search_matches(criteria("FROM yamada@EXAMPLE"), m));
  EXPECT_TRUE(search_matches(criteria("FROM \"山田\""), m));          // encoded words are decoded
  EXPECT_TRUE(search_matches(criteria("SUBJECT \"日本語 report\""), m));
  EXPECT_FALSE(search_matches(criteria("SUBJECT minutes"), m));
  EXPECT_FALSE(search_matches(criteria("TO yamada"), m));               // no To field
  EXPECT_TRUE(search_matches(criteria("HEADER X-Spam-Flag \"\""), m));  // the field exists
  EXPECT_FALSE(search_matches(criteria("HEADER X-Virus \"\""), m));
  EXPECT_TRUE(search_matches(criteria("BODY quarterly"), m));
  EXPECT_FALSE(search_matches(criteria("BODY yamada"), m));              // BODY is not the header
  EXPECT_TRUE(search_matches(criteria("TEXT yamada"), m));
  EXPECT_TRUE(search_matches(criteria("TEXT quarterly"), m));
  EXPECT_TRUE(search_matches(criteria("SENTON 1-Mar-2024"), m));
  EXPECT_TRUE(search_matches(criteria("SENTBEFORE 2-Mar-2024 SENTSINCE 1-Mar-2024"), m));
  EXPECT_FALSE(search_matches(criteria("SENTBEFORE 1-Mar-2024"), m));
}

}  // namespace
}  // namespace dirmail::imap
