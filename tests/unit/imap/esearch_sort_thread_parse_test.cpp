// ESEARCH's RETURN options, SORT and THREAD arguments, and the ESEARCH reply.
#include <gtest/gtest.h>

#include "dirmail/imap/command.hpp"
#include "dirmail/imap/esearch_response.hpp"

namespace dirmail::imap {
namespace {

TEST(EsearchParse, ReturnOptions) {
  auto c = parse_imap_command("a UID SEARCH RETURN (MIN count) UNSEEN");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->search_return.has_value());
  EXPECT_TRUE(c->search_return->min);
  EXPECT_TRUE(c->search_return->count);
  EXPECT_FALSE(c->search_return->max);
  EXPECT_FALSE(c->search_return->all);

  auto empty = parse_imap_command("a SEARCH RETURN () CHARSET UTF-8 ALL");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->search_return->all);  // RETURN () means ALL
  EXPECT_EQ(empty->charset, "UTF-8");

  auto plain = parse_imap_command("a SEARCH ALL");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->search_return.has_value());

  EXPECT_FALSE(parse_imap_command("a SEARCH RETURN (BOGUS) ALL").ok());
  EXPECT_FALSE(parse_imap_command("a SEARCH RETURN (MIN").ok());
  EXPECT_FALSE(parse_imap_command("a SEARCH RETURN (MIN)").ok());  // criteria are still needed
}

TEST(EsearchFormat, AllOptionsAndNoMatch) {
  std::vector<std::uint32_t> m{2, 3, 4, 9, 11, 12};
  SearchReturn all{true, true, true, true};
  EXPECT_EQ(format_esearch("a1", true, m, all), "* ESEARCH (TAG \"a1\") UID MIN 2 MAX 12 ALL 2:4,9,11:12 COUNT 6");
  EXPECT_EQ(format_esearch("t", false, m, SearchReturn{false, false, false, true}), "* ESEARCH (TAG \"t\") COUNT 6");
  EXPECT_EQ(format_esearch("t", false, {}, all), "* ESEARCH (TAG \"t\") COUNT 0");
  EXPECT_EQ(format_esearch("t", false, {}, SearchReturn{true, true, true, false}), "* ESEARCH (TAG \"t\")");
  EXPECT_EQ(compact_sequence_set(std::vector<std::uint32_t>{7}), "7");
}

TEST(SortParse, CriteriaCharsetAndKeys) {
  auto c = parse_imap_command("s UID SORT (REVERSE DATE subject) UTF-8 UNDELETED");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->name, CommandName::sort);
  EXPECT_TRUE(c->uid);
  ASSERT_EQ(c->sort.size(), 2u);
  EXPECT_EQ(c->sort[0].key, SortCriterion::Key::date);
  EXPECT_TRUE(c->sort[0].reverse);
  EXPECT_EQ(c->sort[1].key, SortCriterion::Key::subject);
  EXPECT_FALSE(c->sort[1].reverse);
  EXPECT_EQ(c->charset, "UTF-8");

  EXPECT_FALSE(parse_imap_command("s SORT () UTF-8 ALL").ok());
  EXPECT_FALSE(parse_imap_command("s SORT (DATE) ALL").ok());          // the charset is mandatory
  EXPECT_FALSE(parse_imap_command("s SORT (REVERSE) UTF-8 ALL").ok());
  EXPECT_FALSE(parse_imap_command("s SORT (REVERSE REVERSE DATE) UTF-8 ALL").ok());
  EXPECT_FALSE(parse_imap_command("s SORT (COLOUR) UTF-8 ALL").ok());
  EXPECT_FALSE(parse_imap_command("s SORT (DATE) UTF-8").ok());
}

TEST(ThreadParse, AlgorithmCharsetAndKeys) {
  auto c = parse_imap_command("t THREAD orderedsubject us-ascii SINCE 1-Jan-2020");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->name, CommandName::thread);
  EXPECT_EQ(c->thread, ThreadAlgorithm::ordered_subject);
  EXPECT_EQ(c->charset, "US-ASCII");
  auto r = parse_imap_command("t UID THREAD REFERENCES UTF-8 ALL");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->thread, ThreadAlgorithm::references);
  EXPECT_FALSE(parse_imap_command("t THREAD JWZ UTF-8 ALL").ok());
}

}  // namespace
}  // namespace dirmail::imap
