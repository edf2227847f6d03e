// ESEARCH, SORT and THREAD through a real session over a posix store: what a client sees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "session_harness.hpp"

namespace dirmail::imap {
namespace {

using testing::ImapClient;
using testing::ImapServer;
using ::testing::HasSubstr;

class SortThreadSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.line();
    // Delivered in this order: UIDs 1, 2, 3, 4 (the same arrival second, more or less).
    server_.deliver("From: Zoe <zoe@example.org>\r\nSubject: Re: lunch\r\nDate: Sat, 02 Mar 2024 12:00:00 +0000\r\n"
                    "Message-ID: <2@example.org>\r\nReferences: <1@example.org>\r\n\r\nyes\r\n");
    server_.deliver("From: adam@example.org\r\nSubject: lunch\r\nDate: Fri, 01 Mar 2024 12:00:00 +0000\r\n"
                    "Message-ID: <1@example.org>\r\n\r\nlunch?\r\n");
    server_.deliver("From: Bea <bea@example.org>\r\nSubject: [team] Budget\r\nDate: Sun, 03 Mar 2024 09:00:00 +0100\r\n"
                    "Message-ID: <3@example.org>\r\n\r\nnumbers, and a longer body than the others\r\n");
    server_.deliver("From: carl@example.org\r\nSubject: Fwd: lunch (fwd)\r\nDate: Sat, 02 Mar 2024 08:00:00 +0000\r\n"
                    "Message-ID: <4@example.org>\r\nIn-Reply-To: <2@example.org>\r\n\r\nme too\r\n");
    ASSERT_THAT(client_.command("l", "LOGIN alice@example.test \"secret pw\""), HasSubstr("l OK"));
  }
  void select() { ASSERT_THAT(client_.command("s", "SELECT INBOX"), HasSubstr("s OK [READ-WRITE]")); }

  ImapServer server_;
  ImapClient client_{server_.port()};
};

TEST_F(SortThreadSessionTest, CapabilitiesAdvertised) {
  auto caps = client_.command("c", "CAPABILITY");
  EXPECT_THAT(caps, HasSubstr(" ESEARCH "));
  EXPECT_THAT(caps, HasSubstr(" SORT "));
  EXPECT_THAT(caps, HasSubstr(" THREAD=ORDEREDSUBJECT THREAD=REFERENCES"));
}

TEST_F(SortThreadSessionTest, NeedASelectedMailbox) {
  EXPECT_THAT(client_.command("a", "SORT (DATE) UTF-8 ALL"), HasSubstr("a BAD No mailbox selected"));
  EXPECT_THAT(client_.command("b", "THREAD REFERENCES UTF-8 ALL"), HasSubstr("b BAD No mailbox selected"));
}

TEST_F(SortThreadSessionTest, Esearch) {
  select();
  EXPECT_EQ(client_.command("e", "SEARCH RETURN (MIN MAX ALL COUNT) ALL"),
            "* ESEARCH (TAG \"e\") MIN 1 MAX 4 ALL 1:4 COUNT 4\r\ne OK SEARCH completed\r\n");
  EXPECT_EQ(client_.command("f", "UID SEARCH RETURN () 2,4"), "* ESEARCH (TAG \"f\") UID ALL 2,4\r\nf OK UID SEARCH completed\r\n");
  EXPECT_EQ(client_.command("g", "SEARCH RETURN (MIN COUNT) DELETED"), "* ESEARCH (TAG \"g\") COUNT 0\r\ng OK SEARCH completed\r\n");
  EXPECT_EQ(client_.command("h", "SEARCH 1:2"), "* SEARCH 1 2\r\nh OK SEARCH completed\r\n");  // no RETURN: plain SEARCH
}

TEST_F(SortThreadSessionTest, Sort) {
  select();
  EXPECT_THAT(client_.command("a", "SORT (DATE) UTF-8 ALL"), HasSubstr("* SORT 2 4 1 3\r\na OK SORT completed"));
  EXPECT_THAT(client_.command("b", "SORT (REVERSE DATE) US-ASCII ALL"), HasSubstr("* SORT 3 1 4 2\r\n"));
  // Base subjects: LUNCH, LUNCH, BUDGET, LUNCH; ties by message number.
  EXPECT_THAT(client_.command("c", "SORT (SUBJECT) UTF-8 ALL"), HasSubstr("* SORT 3 1 2 4\r\n"));
  EXPECT_THAT(client_.command("d", "SORT (FROM) UTF-8 ALL"), HasSubstr("* SORT 2 3 4 1\r\n"));
  EXPECT_THAT(client_.command("e", "SORT (REVERSE SIZE) UTF-8 ALL"), HasSubstr("* SORT 3 "));
  EXPECT_THAT(client_.command("f", "UID SORT (SUBJECT REVERSE DATE) UTF-8 NOT 2"),
              HasSubstr("* SORT 3 1 4\r\nf OK UID SORT completed"));
  EXPECT_THAT(client_.command("g", "SORT (ARRIVAL) UTF-8 UID 3:4"), HasSubstr("* SORT 3 4\r\n"));
  EXPECT_THAT(client_.command("h", "SORT (DATE) KOI8-R ALL"), HasSubstr("h NO [BADCHARSET (US-ASCII UTF-8)]"));
  EXPECT_THAT(client_.command("i", "SORT (DATE) UTF-8 DELETED"), HasSubstr("* SORT\r\ni OK SORT completed"));
}

TEST_F(SortThreadSessionTest, Thread) {
  select();
  // 1 replies to 2; 4 replies to 1; 3 stands alone. Threads by date: (2 ...) first.
  EXPECT_THAT(client_.command("a", "THREAD REFERENCES UTF-8 ALL"),
              HasSubstr("* THREAD (2 1 4)(3)\r\na OK THREAD completed"));
  EXPECT_THAT(client_.command("b", "UID THREAD REFERENCES UTF-8 ALL"), HasSubstr("* THREAD (2 1 4)(3)\r\n"));
  // ORDEREDSUBJECT: LUNCH by date is 2, 4, 1.
  EXPECT_THAT(client_.command("c", "THREAD ORDEREDSUBJECT UTF-8 ALL"),
              HasSubstr("* THREAD (2 (4)(1))(3)\r\nc OK THREAD completed"));
  EXPECT_THAT(client_.command("d", "THREAD REFERENCES UTF-8 DELETED"), HasSubstr("* THREAD\r\nd OK THREAD"));
}

}  // namespace
}  // namespace dirmail::imap
