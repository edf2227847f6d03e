// The command syntax RFC 7162 (CONDSTORE, QRESYNC) adds, keywords in flag lists, and
// the flag lists the session writes.
#include <gtest/gtest.h>

#include "dirmail/imap/command.hpp"
#include "dirmail/imap/flag_list.hpp"
#include "dirmail/imap/search_key.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {
namespace {

ImapCommand parse_ok(std::string_view text) {
  auto c = parse_imap_command(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(*c) : ImapCommand{};
}

bool parses(std::string_view text) { return parse_imap_command(text).ok(); }

TEST(CondstoreParse, SelectParameters) {
  auto c = parse_ok("a SELECT INBOX (CONDSTORE)");
  EXPECT_EQ(c.args.at(0), "INBOX");
  EXPECT_TRUE(c.select.condstore);
  EXPECT_FALSE(c.select.qresync);
  c = parse_ok("a EXAMINE INBOX");
  EXPECT_FALSE(c.select.condstore);

  c = parse_ok("a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
  EXPECT_TRUE(c.select.qresync);
  EXPECT_EQ(c.select.uidvalidity, 67890007u);
  EXPECT_EQ(c.select.modseq, 20050715194045000u);
  ASSERT_TRUE(c.select.known_uids);
  EXPECT_TRUE(c.select.known_uids->contains(100, 0));
  EXPECT_FALSE(c.select.known_uids->contains(42, 0));
  EXPECT_FALSE(c.select.known_sequence);

  c = parse_ok("a SELECT INBOX (QRESYNC (1 2 1:100 (1:5 10:14)) CONDSTORE)");
  ASSERT_TRUE(c.select.known_sequence);
  ASSERT_TRUE(c.select.known_sequence_uids);
  EXPECT_TRUE(c.select.known_sequence_uids->contains(12, 0));
  EXPECT_TRUE(c.select.condstore);
  c = parse_ok("a SELECT INBOX (QRESYNC (1 2 (1:5 10:14)))");  // seq-match-data without known-uids
  EXPECT_FALSE(c.select.known_uids);
  EXPECT_TRUE(c.select.known_sequence);
  c = parse_ok("a SELECT INBOX (QRESYNC (1 2))");
  EXPECT_FALSE(c.select.known_uids);

  EXPECT_FALSE(parses("a SELECT INBOX (QRESYNC (0 2))"));          // UIDVALIDITY 0
  EXPECT_FALSE(parses("a SELECT INBOX (QRESYNC (1 0))"));          // mod-sequence 0
  EXPECT_FALSE(parses("a SELECT INBOX (QRESYNC (1 9223372036854775808))"));  // past 63 bits
  EXPECT_FALSE(parses("a SELECT INBOX (QRESYNC (1 2 1:*))"));      // '*' not allowed in known-uids
  EXPECT_FALSE(parses("a SELECT INBOX (QRESYNC)"));
  EXPECT_FALSE(parses("a SELECT INBOX (FOO)"));
  EXPECT_FALSE(parses("a SELECT INBOX ()"));
  EXPECT_FALSE(parses("a SELECT INBOX (CONDSTORE"));
}

TEST(CondstoreParse, FetchModseqAndChangedSince) {
  auto c = parse_ok("a FETCH 1:* (FLAGS MODSEQ)");
  ASSERT_EQ(c.fetch.size(), 2u);
  EXPECT_EQ(c.fetch[1].kind, FetchKind::modseq);
  EXPECT_EQ(fetch_response_name(c.fetch[1]), "MODSEQ");
  EXPECT_FALSE(c.fetch_modifiers.changed_since);

  c = parse_ok("a FETCH 1:* (UID FLAGS) (CHANGEDSINCE 12345)");
  ASSERT_TRUE(c.fetch_modifiers.changed_since);
  EXPECT_EQ(*c.fetch_modifiers.changed_since, 12345u);
  EXPECT_FALSE(c.fetch_modifiers.vanished);
  c = parse_ok("a FETCH 1 FLAGS (CHANGEDSINCE 0)");
  EXPECT_EQ(*c.fetch_modifiers.changed_since, 0u);

  c = parse_ok("a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)");
  EXPECT_TRUE(c.fetch_modifiers.vanished);
  EXPECT_FALSE(parses("a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"));  // VANISHED needs UID FETCH
  EXPECT_FALSE(parses("a UID FETCH 1:* (FLAGS) (VANISHED)"));             // and CHANGEDSINCE
  EXPECT_FALSE(parses("a FETCH 1:* (FLAGS) (CHANGEDSINCE)"));
  EXPECT_FALSE(parses("a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)"));
  EXPECT_FALSE(parses("a FETCH 1:* (FLAGS) (OTHER 1)"));
  EXPECT_FALSE(parses("a FETCH 1:* (FLAGS) (CHANGEDSINCE -1)"));
}

TEST(CondstoreParse, StoreUnchangedSinceAndKeywords) {
  auto c = parse_ok("a STORE 1:3 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted $Junk)");
  ASSERT_TRUE(c.store.unchanged_since);
  EXPECT_EQ(*c.store.unchanged_since, 320162338u);
  EXPECT_TRUE(c.store.silent);
  EXPECT_EQ(c.store.mode, StoreAction::Mode::add);
  EXPECT_EQ(c.store.flags, store::flag_deleted);
  EXPECT_EQ(c.store.keywords, (std::vector<std::string>{"$Junk"}));
  c = parse_ok("a UID STORE 7 (UNCHANGEDSINCE 0) FLAGS (Work Later)");
  EXPECT_EQ(*c.store.unchanged_since, 0u);
  EXPECT_EQ(c.store.keywords, (std::vector<std::string>{"Work", "Later"}));
  // Flag-extensions are not stored and not passed on as keywords.
  c = parse_ok("a STORE 1 +FLAGS (\\Unknown)");
  EXPECT_TRUE(c.store.keywords.empty());
  EXPECT_FALSE(parses("a STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)"));
  EXPECT_FALSE(parses("a STORE 1 (OTHER 5) +FLAGS (\\Seen)"));
  EXPECT_FALSE(parses("a STORE 1 (UNCHANGEDSINCE 5)+FLAGS (\\Seen)"));
}

TEST(CondstoreParse, StatusHighestModseq) {
  auto c = parse_ok("a STATUS INBOX (MESSAGES HIGHESTMODSEQ)");
  EXPECT_EQ(c.status_items, (std::vector<std::string>{"MESSAGES", "HIGHESTMODSEQ"}));
}

TEST(CondstoreParse, SearchModseqKeywordsAndRecent) {
  auto c = parse_ok("a SEARCH MODSEQ 620162338");
  EXPECT_TRUE(has_modseq_key(c.search));
  c = parse_ok("a SEARCH OR NOT MODSEQ \"/flags/\\\\draft\" all 620162338 SEEN");
  EXPECT_TRUE(has_modseq_key(c.search));
  EXPECT_FALSE(has_modseq_key(parse_ok("a SEARCH SEEN").search));
  EXPECT_FALSE(parses("a SEARCH MODSEQ \"/other\" all 5"));
  EXPECT_FALSE(parses("a SEARCH MODSEQ \"/flags/x\" mine 5"));
  EXPECT_FALSE(parses("a SEARCH MODSEQ"));

  const std::vector<std::string> names{"$Work", "Later"};
  SearchFacts m;
  m.keyword_names = &names;
  m.keywords = 2;  // Later
  m.modseq = 50;
  m.recent = true;
  auto matches = [&](std::string_view text) { return search_matches(parse_ok(text).search, m); };
  EXPECT_TRUE(matches("a SEARCH KEYWORD later"));
  EXPECT_FALSE(matches("a SEARCH KEYWORD $Work"));
  EXPECT_TRUE(matches("a SEARCH UNKEYWORD $Work"));
  EXPECT_FALSE(matches("a SEARCH KEYWORD Unknown"));
  EXPECT_TRUE(matches("a SEARCH MODSEQ 50"));
  EXPECT_FALSE(matches("a SEARCH MODSEQ 51"));
  EXPECT_TRUE(matches("a SEARCH RECENT"));
  EXPECT_TRUE(matches("a SEARCH NEW"));
  EXPECT_FALSE(matches("a SEARCH OLD"));
  m.flags = store::flag_seen;
  EXPECT_FALSE(matches("a SEARCH NEW"));
  m.recent = false;
  EXPECT_TRUE(matches("a SEARCH OLD"));
}

TEST(FlagList, KeywordsRecentAndFolderFlags) {
  const std::vector<std::string> names{"$Work", "Later"};
  EXPECT_EQ(format_flag_list(store::flag_seen, true, 3, names), "(\\Seen \\Recent $Work Later)");
  EXPECT_EQ(format_flag_list(0, false, 2, names), "(Later)");
  EXPECT_EQ(format_folder_flags(names, true), "(\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Later \\*)");
  EXPECT_EQ(format_folder_flags({}, false), all_flags_list);
}

}  // namespace
}  // namespace dirmail::imap
