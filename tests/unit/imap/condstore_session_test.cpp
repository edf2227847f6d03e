// Keywords, \Recent, CONDSTORE and QRESYNC (RFC 7162) through a real session on a posix
// store: the exact lines a client reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "session_harness.hpp"

namespace dirmail::imap {
namespace {

using testing::ImapClient;
using testing::ImapServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string note = "Subject: note\r\n\r\nbody\r\n";

class CondstoreSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.line();
    ASSERT_THAT(client_.command("l", "LOGIN alice@example.test \"secret pw\""), HasSubstr("l OK"));
  }

  ImapServer server_;
  ImapClient client_{server_.port()};
};

TEST_F(CondstoreSessionTest, QresyncMustBeEnabledBeforeItsSelect) {
  server_.deliver(note);
  EXPECT_THAT(client_.command("a", "SELECT INBOX (QRESYNC (1 1))"), StartsWith("a BAD"));
  EXPECT_EQ(client_.command("b", "ENABLE QRESYNC"), "* ENABLED QRESYNC\r\nb OK ENABLE completed\r\n");
  auto r = client_.command("c", "SELECT INBOX (QRESYNC (1 1))");  // a stale UIDVALIDITY: a plain SELECT
  EXPECT_THAT(r, HasSubstr("* OK [HIGHESTMODSEQ "));
  EXPECT_THAT(r, Not(HasSubstr("VANISHED")));
  EXPECT_THAT(r, HasSubstr("c OK [READ-WRITE]"));
}

TEST_F(CondstoreSessionTest, OwnExpungeIsVanishedWithTheNewHighestModseq) {
  for (int i = 0; i < 3; ++i) server_.deliver(note);
  client_.command("e", "ENABLE QRESYNC");
  client_.command("s", "SELECT INBOX");
  client_.command("a", "STORE 1,3 +FLAGS.SILENT (\\Deleted)");
  auto r = client_.command("b", "EXPUNGE");
  EXPECT_THAT(r, StartsWith("* VANISHED 1,3\r\nb OK [HIGHESTMODSEQ "));
  EXPECT_THAT(r, Not(HasSubstr("EXPUNGE\r\n")));
  auto status = server_.store().status(server_.alice_root(), "INBOX");
  ASSERT_TRUE(status.ok());
  EXPECT_THAT(r, HasSubstr("[HIGHESTMODSEQ " + std::to_string(status->highest_modseq) + "]"));
  client_.command("c", "STORE 1 +FLAGS.SILENT (\\Deleted)");
  auto closed = client_.command("d", "CLOSE");
  status = server_.store().status(server_.alice_root(), "INBOX");
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->messages.empty());
  EXPECT_EQ(closed, "d OK [HIGHESTMODSEQ " + std::to_string(status->highest_modseq) + "] CLOSE completed\r\n");
}

TEST_F(CondstoreSessionTest, SilentConditionalStoreStillReportsWhatItStored) {
  server_.deliver(note);
  server_.deliver(note);
  client_.command("s", "SELECT INBOX");
  auto r = client_.command("a", "UID STORE 1:2 (UNCHANGEDSINCE 1) +FLAGS.SILENT (\\Seen)");
  // Message 1 (modseq 1) is stored and reported with its MODSEQ; 2 (modseq 2) is not.
  EXPECT_THAT(r, StartsWith("* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) MODSEQ ("));
  EXPECT_THAT(r, HasSubstr("a OK [MODIFIED 2] Conditional STORE failed"));
  EXPECT_THAT(r, Not(HasSubstr("* 2 FETCH")));
  // CONDSTORE is now on: a plain STORE's FETCH gets UID and MODSEQ too.
  EXPECT_THAT(client_.command("b", "STORE 2 +FLAGS (\\Flagged)"),
              StartsWith("* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) MODSEQ ("));
}

TEST_F(CondstoreSessionTest, KeywordLimitAndBadKeywordsAreRefused) {
  server_.deliver(note);
  client_.command("s", "SELECT INBOX");
  std::string many;
  for (std::size_t i = 0; i < store::kMaxKeywords; ++i) many += (i ? " k" : "k") + std::to_string(i);
  auto full = client_.command("a", "STORE 1 +FLAGS.SILENT (" + many + ")");
  EXPECT_THAT(full, HasSubstr("a OK STORE completed"));
  // The list is full: PERMANENTFLAGS no longer offers \*.
  EXPECT_THAT(full, HasSubstr("k63)] Flags permitted"));
  EXPECT_THAT(client_.command("b", "STORE 1 +FLAGS (one-more)"), StartsWith("b NO [LIMIT]"));
  EXPECT_THAT(client_.command("c", "STORE 1 +FLAGS (" + std::string(store::kMaxKeywordLength + 1, 'x') + ")"),
              StartsWith("c NO [CANNOT]"));
  EXPECT_THAT(client_.command("d", "SEARCH KEYWORD k63"), StartsWith("* SEARCH 1\r\n"));
}

TEST_F(CondstoreSessionTest, ExamineShowsRecentWithoutTakingIt) {
  server_.deliver(note);
  EXPECT_THAT(client_.command("a", "EXAMINE INBOX"), HasSubstr("* 1 RECENT"));
  EXPECT_THAT(client_.command("b", "SELECT INBOX"), HasSubstr("* 1 RECENT"));
  ImapClient other(server_.port());
  other.line();
  other.command("l", "LOGIN alice \"secret pw\"");
  EXPECT_THAT(other.command("s", "SELECT INBOX"), HasSubstr("* 0 RECENT"));
  EXPECT_THAT(other.command("t", "STATUS INBOX (RECENT HIGHESTMODSEQ)"), HasSubstr("(RECENT 0 HIGHESTMODSEQ "));
}

}  // namespace
}  // namespace dirmail::imap
