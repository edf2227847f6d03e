// THREAD algorithms and SORT order on made-up mailboxes (RFC 5256).
#include "dirmail/imap/message_threads.hpp"

#include <gtest/gtest.h>

#include "dirmail/imap/message_date.hpp"
#include "dirmail/imap/sort_record.hpp"

namespace dirmail::imap {
namespace {

// Message `seq` (UID seq * 10) with a header as a client would write it.
SortRecord message(std::uint32_t seq, const std::string& header, std::int64_t arrived = 0) {
  SortRecord r;
  r.seq = seq;
  r.uid = seq * 10;
  r.internal_date = arrived ? arrived : 1'700'000'000 + seq;
  read_sort_fields(header, r);
  return r;
}

std::string header(const std::string& id, const std::string& subject, int day, const std::string& refs = "") {
  std::string h = "Message-ID: " + id + "\r\nSubject: " + subject + "\r\nDate: " + std::to_string(day) +
                  " Mar 2024 10:00:00 +0000\r\n";
  if (!refs.empty()) h += "References: " + refs + "\r\n";
  return h + "\r\n";
}

std::string references(const std::vector<SortRecord>& records) {
  return format_threads(thread_by_references(records, false));
}

TEST(MessageDate, ParsesRfc5322Dates) {
  EXPECT_EQ(parse_message_date("Fri, 21 Nov 1997 09:55:06 -0600"), 880127706);
  EXPECT_EQ(parse_message_date("21 Nov 1997 15:55:06 GMT"), 880127706);
  EXPECT_EQ(parse_message_date("Fri, 21 Nov 97 15:55 +0000 (UTC)"), 880127700);
  EXPECT_FALSE(parse_message_date("yesterday").has_value());
  EXPECT_FALSE(parse_message_date("32 Nov 1997 10:00 +0000").has_value());
}

TEST(SortRecord, ReadsKeysFromTheHeader) {
  auto r = message(1,
                   "From: \"Bob\" <bob@example.org>\r\nTo: undisclosed:;, carol@example.org\r\n"
                   "Subject: Re: [list] Hello\r\nDate: garbage\r\nIn-Reply-To: <a@x> <b@x>\r\n\r\n",
                   1234);
  EXPECT_EQ(r.from, "BOB");
  EXPECT_EQ(r.to, "CAROL");  // the group's start marker is not an address
  EXPECT_EQ(r.cc, "");
  EXPECT_EQ(r.subject, "HELLO");
  EXPECT_TRUE(r.reply_or_forward);
  EXPECT_EQ(r.sent_date, 1234);  // an unreadable Date: falls back to INTERNALDATE
  EXPECT_EQ(r.references, (std::vector<std::string>{"<a@x>"}));
}

TEST(SortOrder, CriteriaReverseAndTies) {
  std::vector<SortRecord> m{
      message(1, "Subject: b\r\nFrom: zed@x\r\n\r\n", 300),
      message(2, "Subject: Re: a\r\nFrom: amy@x\r\n\r\n", 100),
      message(3, "Subject: B\r\nFrom: amy@x\r\n\r\n", 200),
  };
  m[0].size = 10;
  m[1].size = 30;
  m[2].size = 10;
  using K = SortCriterion::Key;
  auto order = [&](std::vector<SortCriterion> c) {
    std::string s;
    for (std::size_t i : sort_order(m, c)) s += std::to_string(m[i].seq);
    return s;
  };
  EXPECT_EQ(order({{K::subject, false}}), "213");            // ties keep message order
  EXPECT_EQ(order({{K::subject, true}}), "132");             // REVERSE does not reverse the tie-break
  EXPECT_EQ(order({{K::arrival, false}}), "231");
  EXPECT_EQ(order({{K::from, false}, {K::size, true}}), "231");
  EXPECT_EQ(order({{K::size, false}, {K::arrival, true}}), "132");
  EXPECT_EQ(order({{K::date, false}}), "231");               // no Date: INTERNALDATE
}

TEST(ThreadReferences, ChainsBranchesAndMissingParents) {
  std::vector<SortRecord> m{
      message(1, header("<1@x>", "topic", 1)),
      message(2, header("<2@x>", "Re: topic", 2, "<1@x>")),
      message(3, header("<3@x>", "Re: topic", 3, "<1@x> <2@x>")),
      message(4, header("<4@x>", "Re: topic", 4, "<1@x>")),
      // Its parent <gone@x> was never seen; its grandparent is message 1.
      message(5, header("<5@x>", "Re: topic", 5, "<1@x> <gone@x>")),
      message(6, header("<6@x>", "other", 6)),
  };
  EXPECT_EQ(references(m), "(1 (2 3)(4)(5))(6)");
  EXPECT_EQ(format_threads(thread_by_references(m, true)), "(10 (20 30)(40)(50))(60)");
}

TEST(ThreadReferences, SiblingsUnderAMissingRootStayTogether) {
  std::vector<SortRecord> m{
      message(1, header("<a@x>", "Re: lost", 2, "<root@x>")),
      message(2, header("<b@x>", "Re: lost", 1, "<root@x>")),
  };
  EXPECT_EQ(references(m), "((2)(1))");  // a placeholder root; the earlier sent first
}

TEST(ThreadReferences, CyclesAndDuplicateIdsDoNotLoop) {
  std::vector<SortRecord> m{
      message(1, header("<a@x>", "one", 1, "<b@x>")),
      message(2, header("<b@x>", "two", 2, "<a@x>")),  // a refers to b, b to a
      message(3, header("<a@x>", "three", 3)),          // a duplicate Message-ID
      message(4, header("<self@x>", "four", 4, "<self@x>")),
  };
  EXPECT_EQ(references(m), "(2 1)(3)(4)");  // b ended up a's parent; the second link was refused
}

TEST(ThreadReferences, RootsGatheredBySubject) {
  std::vector<SortRecord> m{
      message(1, header("<1@x>", "Lunch?", 1)),
      message(2, header("<2@x>", "Re: lunch?", 2)),   // no References, same base subject: a reply to 1
      message(3, header("<3@x>", "party", 3)),
      message(4, header("<4@x>", "Party", 4)),        // neither is a reply: both under a placeholder
      message(5, header("<5@x>", "", 5)),
      message(6, header("<6@x>", "", 6)),             // empty subjects are never gathered
  };
  EXPECT_EQ(references(m), "(1 2)((3)(4))(5)(6)");
}

TEST(ThreadReferences, DeepChainsAreCutAtTheDepthLimit) {
  std::vector<SortRecord> m;
  const std::uint32_t count = max_thread_depth + 200;
  for (std::uint32_t i = 1; i <= count; ++i) {
    std::string h = "Message-ID: <" + std::to_string(i) + "@x>\r\nSubject: " + (i == 1 ? "chain" : "Re: chain") + "\r\n";
    if (i > 1) h += "In-Reply-To: <" + std::to_string(i - 1) + "@x>\r\n";
    m.push_back(message(i, h + "\r\n", 1'700'000'000 + i));
  }
  const std::string threads = references(m);
  // 1..999 make one chain; 1000 would be its level 1000, so it starts a chain of its own,
  // which joins the thread by subject as message 1's second branch.
  EXPECT_EQ(threads.rfind("(1 (2 3 ", 0), 0u) << threads.substr(0, 80);
  const std::string cut = std::to_string(max_thread_depth);
  const std::string last = std::to_string(max_thread_depth - 1);
  EXPECT_NE(threads.find(" " + last + ")(" + cut + " "), std::string::npos) << threads.substr(threads.size() - 80);
  EXPECT_EQ(threads.substr(threads.size() - 7), " " + std::to_string(count) + "))");
  std::size_t numbers = 0;
  for (std::size_t i = 0; i < threads.size(); ++i)
    if (threads[i] >= '0' && threads[i] <= '9' && (i == 0 || threads[i - 1] < '0' || threads[i - 1] > '9')) ++numbers;
  EXPECT_EQ(numbers, count);
}

TEST(ThreadOrderedSubject, GroupsBySubjectThenDate) {
  std::vector<SortRecord> m{
      message(1, header("<1@x>", "b", 5)),
      message(2, header("<2@x>", "a", 3)),
      message(3, header("<3@x>", "Re: b", 4)),
      message(4, header("<4@x>", "Re: a", 6)),
      message(5, header("<5@x>", "RE: A", 7)),
      message(6, header("<6@x>", "c", 1)),
  };
  EXPECT_EQ(format_threads(thread_by_ordered_subject(m, false)), "(6)(2 (4)(5))(3 1)");
  EXPECT_EQ(format_threads(thread_by_ordered_subject({}, false)), "");
}

}  // namespace
}  // namespace dirmail::imap
