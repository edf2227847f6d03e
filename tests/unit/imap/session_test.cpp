// The IMAP session end to end: a real socket, a real posix store, the replies a
// client sees.
#include <gmock/gmock.h>
#include <filesystem>
#include <fstream>
#include <thread>
#include <gtest/gtest.h>

#include "dirmail/base/base64.hpp"
#include "dirmail/imap/command.hpp"
#include "session_harness.hpp"

namespace dirmail::imap {
namespace {

using testing::ImapClient;
using testing::ImapServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string first_message =
    "From: Friend <friend@example.org>\r\nTo: alice@example.test\r\nSubject: first\r\n"
    "Message-ID: <1@example.org>\r\n\r\nHello\r\n.leading dot\r\n";
const std::string second_message = "Subject: second\r\n\r\nbody two\r\n";
const std::string third_message = "Subject: third\r\nX-Junk: yes\r\n\r\nbody three\r\n";

class ImapSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    greeting_ = client_.line();
  }
  void login() {
    ASSERT_THAT(client_.command("l", "LOGIN alice@example.test \"secret pw\""), HasSubstr("l OK"));
  }
  void select_inbox() { ASSERT_THAT(client_.command("s", "SELECT INBOX"), HasSubstr("s OK [READ-WRITE]")); }

  ImapServer server_;
  ImapClient client_{server_.port()};
  std::string greeting_;
};

TEST_F(ImapSessionTest, GreetingAndCapabilities) {
  EXPECT_THAT(greeting_, StartsWith("* OK [CAPABILITY IMAP4rev1 LITERAL+"));
  EXPECT_THAT(greeting_, HasSubstr("AUTH=PLAIN"));
  EXPECT_THAT(greeting_, Not(HasSubstr("LOGINDISABLED")));
  auto caps = client_.command("c", "CAPABILITY");
  EXPECT_THAT(caps, StartsWith("* CAPABILITY IMAP4rev1 LITERAL+ ID IDLE NAMESPACE UNSELECT"));
  EXPECT_THAT(caps, HasSubstr("c OK CAPABILITY completed"));
  EXPECT_THAT(client_.command("i", "ID NIL"), HasSubstr("* ID (\"name\" \"dirmail\""));
}

TEST_F(ImapSessionTest, LoginChecksThePassword) {
  EXPECT_THAT(client_.command("a", "LOGIN alice@example.test wrong"), HasSubstr("a NO [AUTHENTICATIONFAILED]"));
  EXPECT_THAT(client_.command("b", "LOGIN down@example.test x"), HasSubstr("b NO [UNAVAILABLE]"));
  EXPECT_THAT(client_.command("c", "SELECT INBOX"), HasSubstr("c BAD Log in first"));
  auto ok = client_.command("d", "LOGIN alice@example.test \"secret pw\"");
  EXPECT_THAT(ok, HasSubstr("d OK [CAPABILITY IMAP4rev1"));
  EXPECT_THAT(ok, Not(HasSubstr("AUTH=PLAIN")));
  EXPECT_THAT(client_.command("e", "LOGIN alice x"), HasSubstr("e BAD Already logged in"));
}

TEST_F(ImapSessionTest, SynchronizingAndNonSynchronizingLiterals) {
  client_.send("a LOGIN {18}\r\n");
  EXPECT_EQ(client_.line(), "+ Ready for literal data");
  client_.send("alice@example.test {9+}\r\nsecret pw\r\n");
  EXPECT_THAT(client_.response("a"), HasSubstr("a OK"));
}

TEST_F(ImapSessionTest, AuthenticatePlainWithContinuationAndInitialResponse) {
  std::string creds = base64_encode(std::string("\0alice@example.test\0secret pw", 29));
  client_.send("a AUTHENTICATE PLAIN\r\n");
  EXPECT_EQ(client_.line(), "+ ");
  client_.send(creds + "\r\n");
  EXPECT_THAT(client_.response("a"), HasSubstr("a OK"));
  ImapClient other(server_.port());
  other.line();
  EXPECT_THAT(other.command("b", "AUTHENTICATE PLAIN " + creds), HasSubstr("b OK"));
  ImapClient third(server_.port());
  third.line();
  std::string wrong = base64_encode(std::string("\0alice@example.test\0nope", 24));
  EXPECT_THAT(third.command("c", "AUTHENTICATE PLAIN " + wrong), HasSubstr("c NO [AUTHENTICATIONFAILED]"));
  EXPECT_THAT(third.command("d", "AUTHENTICATE PLAIN !!!"), HasSubstr("d BAD"));
}

TEST_F(ImapSessionTest, LiteralAndLineLimits) {
  client_.send("a LOGIN {999999}\r\n");
  EXPECT_THAT(client_.response("a"), HasSubstr("a BAD [LIMIT] Literal too large"));
  EXPECT_THAT(client_.command("b", "NOOP"), HasSubstr("b OK"));  // still in step
  client_.send("c APPEND INBOX {999999}\r\n");  // before login APPEND has the common literal limit
  EXPECT_THAT(client_.response("c"), HasSubstr("c BAD [LIMIT] Literal too large"));
  client_.send("d NOOP " + std::string(max_command_line + 10, 'x') + "\r\n");
  auto r = client_.response("d");
  EXPECT_THAT(r, HasSubstr("d BAD [LIMIT] Command line too long"));
  EXPECT_THAT(client_.line(), StartsWith("* BYE"));
  client_.line();
  EXPECT_TRUE(client_.closed());
}

TEST_F(ImapSessionTest, BadSyntaxGetsTaggedOrUntaggedBad) {
  EXPECT_THAT(client_.command("a", "FROB"), HasSubstr("a BAD Unknown command"));
  client_.send("(((\r\n");
  EXPECT_THAT(client_.line(), StartsWith("* BAD"));
}

TEST_F(ImapSessionTest, PlaintextRefusedWhenPolicySaysNever) {
  auto options = ImapServer::default_options();
  options.plaintext_auth = auth::PlaintextPolicy::never;
  ImapServer strict(options);
  ImapClient c(strict.port());
  EXPECT_THAT(c.line(), HasSubstr("LOGINDISABLED"));
  EXPECT_THAT(c.command("a", "LOGIN alice@example.test \"secret pw\""), HasSubstr("a NO [PRIVACYREQUIRED]"));
  EXPECT_THAT(c.command("b", "AUTHENTICATE PLAIN AGFsaWNlAHB3"), HasSubstr("b NO [PRIVACYREQUIRED]"));
}

TEST_F(ImapSessionTest, LoopbackPolicyRefusesOtherClients) {
  ImapServer remote(ImapServer::default_options(), /*peer_is_loopback=*/false);
  ImapClient c(remote.port());
  EXPECT_THAT(c.line(), HasSubstr("LOGINDISABLED"));
  EXPECT_THAT(c.command("a", "LOGIN alice@example.test \"secret pw\""), HasSubstr("a NO [PRIVACYREQUIRED]"));
}

TEST_F(ImapSessionTest, SelectEmptyAndOtherMailboxes) {
  login();
  auto r = client_.command("s", "SELECT inbox");
  EXPECT_THAT(r, HasSubstr("* 0 EXISTS\r\n"));
  EXPECT_THAT(r, HasSubstr("* OK [UIDVALIDITY 1]"));
  EXPECT_THAT(r, HasSubstr("* OK [UIDNEXT 1]"));
  EXPECT_THAT(r, HasSubstr("s OK [READ-WRITE]"));
  EXPECT_THAT(client_.command("t", "SELECT Archive"), HasSubstr("t NO [NONEXISTENT]"));
  EXPECT_THAT(client_.command("u", "FETCH 1 FLAGS"), HasSubstr("u BAD No mailbox selected"));
  EXPECT_THAT(client_.command("w", "CREATE INBOX"), HasSubstr("w NO [ALREADYEXISTS]"));
  EXPECT_THAT(client_.command("x", "SUBSCRIBE INBOX"), HasSubstr("x OK"));
  auto list = client_.command("y", "LIST \"\" \"*\"");
  EXPECT_THAT(list, StartsWith("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"));
  EXPECT_THAT(list, HasSubstr("\r\ny OK LIST completed"));
  EXPECT_THAT(client_.command("z", "LIST \"\" \"\""), HasSubstr("* LIST (\\Noselect) \"/\" \"\""));
  EXPECT_THAT(client_.command("z2", "LIST \"\" Archive"), StartsWith("z2 OK"));
  EXPECT_THAT(client_.command("z3", "LSUB \"\" %"), HasSubstr("* LSUB () \"/\" INBOX"));
}

TEST_F(ImapSessionTest, SelectReportsMessagesAndStatusCounts) {
  server_.deliver(first_message);
  server_.deliver(second_message);
  login();
  auto status = client_.command("t", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT RECENT)");
  // No session has been told of either message: both are \Recent.
  EXPECT_THAT(status, HasSubstr("* STATUS INBOX (MESSAGES 2 UNSEEN 2 UIDNEXT 3 RECENT 2)"));
  auto r = client_.command("s", "EXAMINE INBOX");
  EXPECT_THAT(r, HasSubstr("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"));
  EXPECT_THAT(r, HasSubstr("* OK [PERMANENTFLAGS ()]"));
  EXPECT_THAT(r, HasSubstr("* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 1]"));  // shown, not claimed
  EXPECT_THAT(r, HasSubstr("* OK [UIDNEXT 3]"));
  EXPECT_THAT(r, HasSubstr("s OK [READ-ONLY]"));
  // EXAMINE is read-only: BODY[] does not set \Seen, STORE is refused.
  EXPECT_THAT(client_.command("f", "FETCH 1 BODY[]"), Not(HasSubstr("\\Seen")));
  EXPECT_THAT(client_.command("g", "STORE 1 +FLAGS (\\Deleted)"), HasSubstr("g NO"));
}

TEST_F(ImapSessionTest, FetchStreamsExactBytes) {
  server_.deliver(first_message);
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; big.size() < 300000; ++i) big += "line " + std::to_string(i) + " of a big message\r\n";
  server_.deliver(big);
  login();
  select_inbox();
  auto r = client_.command("f", "FETCH 1 (UID RFC822.SIZE FLAGS BODY.PEEK[])");
  EXPECT_EQ(r, "* 1 FETCH (UID 1 RFC822.SIZE " + std::to_string(first_message.size()) + " FLAGS (\\Recent) BODY[] {" +
                   std::to_string(first_message.size()) + "}\r\n" + first_message + ")\r\nf OK FETCH completed\r\n");
  r = client_.command("g", "UID FETCH 2 BODY.PEEK[]");
  EXPECT_EQ(r, "* 2 FETCH (UID 2 BODY[] {" + std::to_string(big.size()) + "}\r\n" + big + ")\r\ng OK UID FETCH completed\r\n");
}

TEST_F(ImapSessionTest, FetchSectionsAndPartials) {
  server_.deliver(first_message);
  login();
  select_inbox();
  const std::string header = first_message.substr(0, first_message.find("\r\n\r\n") + 4);
  const std::string text = first_message.substr(header.size());
  EXPECT_EQ(client_.command("a", "FETCH 1 BODY.PEEK[HEADER]"),
            "* 1 FETCH (BODY[HEADER] {" + std::to_string(header.size()) + "}\r\n" + header + ")\r\na OK FETCH completed\r\n");
  EXPECT_EQ(client_.command("b", "FETCH 1 BODY.PEEK[TEXT]"),
            "* 1 FETCH (BODY[TEXT] {" + std::to_string(text.size()) + "}\r\n" + text + ")\r\nb OK FETCH completed\r\n");
  EXPECT_EQ(client_.command("c", "FETCH 1 BODY.PEEK[]<6.4>"),
            "* 1 FETCH (BODY[]<6> {4}\r\nFrie)\r\nc OK FETCH completed\r\n");
  EXPECT_EQ(client_.command("d", "FETCH 1 BODY.PEEK[]<100000.5>"),
            "* 1 FETCH (BODY[]<100000> {0}\r\n)\r\nd OK FETCH completed\r\n");
  EXPECT_EQ(client_.command("e", "FETCH 1 BODY.PEEK[HEADER.FIELDS (subject TO)]"),
            "* 1 FETCH (BODY[HEADER.FIELDS (subject TO)] {42}\r\nTo: alice@example.test\r\nSubject: first\r\n\r\n)\r\n"
            "e OK FETCH completed\r\n");
  EXPECT_EQ(client_.command("f", "FETCH 1 (RFC822.HEADER BODY.PEEK[1] BODY.PEEK[2])"),
            "* 1 FETCH (RFC822.HEADER {" + std::to_string(header.size()) + "}\r\n" + header + " BODY[1] {" +
                std::to_string(text.size()) + "}\r\n" + text + " BODY[2] NIL)\r\nf OK FETCH completed\r\n");
  auto env = client_.command("g", "FETCH 1 (ENVELOPE BODYSTRUCTURE INTERNALDATE)");
  EXPECT_THAT(env, HasSubstr("ENVELOPE (NIL \"first\" ((\"Friend\" NIL \"friend\" \"example.org\"))"));
  EXPECT_THAT(env, HasSubstr("BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" " +
                             std::to_string(text.size()) + " 2 NIL NIL NIL NIL)"));
  EXPECT_THAT(env, HasSubstr("INTERNALDATE \""));
  EXPECT_THAT(client_.command("h", "FETCH 1 FLAGS"), HasSubstr("FLAGS (\\Recent)"));  // PEEK left \Seen alone
}

TEST_F(ImapSessionTest, StructureEnvelopeAndKnownFieldsComeFromTheSummary) {
  const std::string message =
      "From: Friend <friend@example.org>\r\nSubject: parts\r\nX-Other: o\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n\r\ntext\r\n--b\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n";
  server_.deliver(message);
  login();
  select_inbox();
  const std::string first = client_.command("a", "FETCH 1 (ENVELOPE BODYSTRUCTURE)");
  EXPECT_THAT(first, HasSubstr("\"MIXED\""));
  EXPECT_THAT(first, HasSubstr("(\"IMAGE\" \"PNG\" NIL NIL NIL \"7BIT\" 3 NIL NIL NIL NIL)"));
  const std::string folder = server_.alice_root() + "/INBOX";
  ASSERT_TRUE(std::filesystem::exists(folder + "/dirmail.summary"));
  // Overwrite the message file (same size): what is answered from the summary does not change.
  std::string file;
  for (const auto& e : std::filesystem::directory_iterator(folder + "/cur")) file = e.path();
  std::ofstream(file, std::ios::binary | std::ios::trunc) << std::string(message.size(), 'x');
  EXPECT_EQ(client_.command("b", "FETCH 1 (ENVELOPE BODYSTRUCTURE)"),
            std::string(first).replace(first.rfind("a OK"), 1, "b"));
  EXPECT_THAT(client_.command("c", "FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"), HasSubstr("Subject: parts\r\n"));
  // A field the summary does not keep is read from the file, like the part's bytes.
  EXPECT_THAT(client_.command("d", "FETCH 1 BODY.PEEK[HEADER.FIELDS (X-Other)]"), HasSubstr("BODY[HEADER.FIELDS (X-Other)] {2}\r\n\r\n)"));
  EXPECT_THAT(client_.command("e", "FETCH 1 BODY.PEEK[2]"), HasSubstr("BODY[2] {3}\r\nxxx)"));
  // Without its summary file the message is read again.
  std::filesystem::remove(folder + "/dirmail.summary");
  EXPECT_THAT(client_.command("f", "FETCH 1 BODYSTRUCTURE"), HasSubstr("BODYSTRUCTURE (\"TEXT\" \"PLAIN\""));
}

TEST(ImapSessionLimits, SessionsPerAccountAreCapped) {
  auto options = ImapServer::default_options();
  options.max_sessions_per_user = 2;
  ImapServer server(options);
  auto logged_in = [&](ImapClient& c) {
    c.line();  // greeting
    return c.command("l", "LOGIN alice@example.test \"secret pw\"");
  };
  ImapClient a(server.port()), b(server.port()), c(server.port());
  EXPECT_THAT(logged_in(a), HasSubstr("l OK"));
  EXPECT_THAT(logged_in(b), HasSubstr("l OK"));
  EXPECT_THAT(logged_in(c), HasSubstr("l NO [LIMIT] This account already has 2 sessions"));
  EXPECT_THAT(c.command("s", "SELECT INBOX"), HasSubstr("s BAD"));  // still not logged in
  EXPECT_THAT(a.command("o", "LOGOUT"), HasSubstr("o OK"));
  // The place a logout gave back is taken by the next login (the session ends just after
  // its LOGOUT reply: give it a moment).
  std::string again;
  for (int i = 0; i < 50 && again.find("l OK") == std::string::npos; ++i) {
    again = c.command("l", "LOGIN alice@example.test \"secret pw\"");
    if (again.find("l OK") == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(again, HasSubstr("l OK"));
}

TEST_F(ImapSessionTest, FetchBodySetsSeen) {
  server_.deliver(first_message);
  server_.deliver(second_message);
  login();
  select_inbox();
  auto r = client_.command("a", "UID FETCH 2 BODY[TEXT]");
  EXPECT_EQ(r, "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) BODY[TEXT] {10}\r\nbody two\r\n)\r\na OK UID FETCH completed\r\n");
  EXPECT_THAT(client_.command("b", "FETCH 1:2 FLAGS"),
              HasSubstr("* 1 FETCH (FLAGS (\\Recent))\r\n* 2 FETCH (FLAGS (\\Seen \\Recent))"));
  // The flag is in the store: another session sees it.
  ImapClient other(server_.port());
  other.line();
  other.command("l", "LOGIN alice \"secret pw\"");
  EXPECT_THAT(other.command("s", "STATUS INBOX (UNSEEN)"), HasSubstr("(UNSEEN 1)"));
}

TEST_F(ImapSessionTest, InvalidSequenceNumbersAreBad) {
  server_.deliver(first_message);
  login();
  select_inbox();
  EXPECT_THAT(client_.command("a", "FETCH 2 FLAGS"), HasSubstr("a BAD Invalid message sequence number"));
  EXPECT_EQ(client_.command("b", "UID FETCH 5:9 FLAGS"), "b OK UID FETCH completed\r\n");
  EXPECT_EQ(client_.command("c", "UID FETCH 7:* UID"), "* 1 FETCH (UID 1)\r\nc OK UID FETCH completed\r\n");
}

TEST_F(ImapSessionTest, StoreFlagsAndExpunge) {
  for (const auto* m : {&first_message, &second_message, &third_message}) server_.deliver(*m);
  server_.deliver(first_message);
  login();
  select_inbox();
  EXPECT_EQ(client_.command("a", "STORE 1,3 +FLAGS (\\Deleted \\Flagged)"),
            "* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))\r\n* 3 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))\r\n"
            "a OK STORE completed\r\n");
  EXPECT_EQ(client_.command("b", "UID STORE 3 -FLAGS.SILENT (\\Flagged)"), "b OK STORE completed\r\n");
  EXPECT_EQ(client_.command("c", "STORE 2 FLAGS (\\Answered $Label1)"),
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)\r\n"
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] Flags permitted\r\n"
            "* 2 FETCH (FLAGS (\\Answered \\Recent $Label1))\r\nc OK STORE completed\r\n");
  EXPECT_EQ(client_.command("d", "SEARCH DELETED"), "* SEARCH 1 3\r\nd OK SEARCH completed\r\n");
  EXPECT_EQ(client_.command("e", "UID SEARCH UNDELETED"), "* SEARCH 2 4\r\ne OK UID SEARCH completed\r\n");
  EXPECT_EQ(client_.command("f", "EXPUNGE"), "* 3 EXPUNGE\r\n* 1 EXPUNGE\r\nf OK EXPUNGE completed\r\n");
  EXPECT_EQ(client_.command("g", "FETCH 1:* (UID FLAGS)"),
            "* 1 FETCH (UID 2 FLAGS (\\Answered \\Recent $Label1))\r\n* 2 FETCH (UID 4 FLAGS (\\Recent))\r\n"
            "g OK FETCH completed\r\n");
  auto status = server_.store().status(server_.alice_root(), "INBOX");
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->messages.size(), 2u);
  EXPECT_EQ(status->messages[0].uid, 2u);
  EXPECT_EQ(status->messages[0].flags, store::flag_answered);
}

TEST_F(ImapSessionTest, UidExpungeAndCloseOnlyRemoveDeleted) {
  for (const auto* m : {&first_message, &second_message, &third_message}) server_.deliver(*m);
  login();
  select_inbox();
  client_.command("a", "STORE 1:3 +FLAGS.SILENT (\\Deleted)");
  EXPECT_EQ(client_.command("b", "UID EXPUNGE 2"), "* 2 EXPUNGE\r\nb OK UID EXPUNGE completed\r\n");
  client_.command("c", "STORE 1 -FLAGS.SILENT (\\Deleted)");
  EXPECT_EQ(client_.command("d", "CLOSE"), "d OK CLOSE completed\r\n");
  EXPECT_THAT(client_.command("e", "FETCH 1 FLAGS"), HasSubstr("e BAD No mailbox selected"));
  auto status = server_.store().status(server_.alice_root(), "INBOX");
  ASSERT_EQ(status->messages.size(), 1u);
  EXPECT_EQ(status->messages[0].uid, 1u);
}

TEST_F(ImapSessionTest, NoopReportsNewMailExpungesAndFlagChanges) {
  server_.deliver(first_message);
  server_.deliver(second_message);
  server_.deliver(third_message);
  login();
  select_inbox();
  // Another session's work: message 2 expunged, 3 flagged, a new message arrives.
  std::uint32_t two = 2;
  ASSERT_TRUE(server_.store().expunge(server_.alice_root(), "INBOX", {&two, 1}).ok());
  ASSERT_TRUE(server_.store().set_flags(server_.alice_root(), "INBOX", 3, store::flag_flagged).ok());
  // Until the client is told, message numbers do not move: 3 is still the third.
  EXPECT_EQ(client_.command("a", "FETCH 3 UID"), "* 3 FETCH (UID 3)\r\na OK FETCH completed\r\n");
  server_.deliver(first_message);
  EXPECT_EQ(client_.command("b", "NOOP"),
            "* 2 EXPUNGE\r\n* 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\n* 3 EXISTS\r\n* 3 RECENT\r\n"
            "b OK NOOP completed\r\n");
  EXPECT_EQ(client_.command("c", "FETCH 3 UID"), "* 3 FETCH (UID 4)\r\nc OK FETCH completed\r\n");
  EXPECT_EQ(client_.command("d", "NOOP"), "d OK NOOP completed\r\n");
}

TEST_F(ImapSessionTest, FetchOfMessageExpungedElsewhere) {
  server_.deliver(first_message);
  server_.deliver(second_message);
  login();
  select_inbox();
  std::uint32_t one = 1;
  ASSERT_TRUE(server_.store().expunge(server_.alice_root(), "INBOX", {&one, 1}).ok());
  auto r = client_.command("a", "FETCH 1:2 (UID BODY.PEEK[])");
  EXPECT_THAT(r, HasSubstr("* 2 FETCH (UID 2 BODY[] {"));
  EXPECT_THAT(r, HasSubstr("a NO [EXPUNGEISSUED]"));
}

TEST_F(ImapSessionTest, IdleEndsWithDoneAndReportsNewMail) {
  auto options = ImapServer::default_options();
  options.idle_poll_interval = std::chrono::seconds(1);
  ImapServer fast(options);
  ImapClient c(fast.port());
  c.line();
  c.command("l", "LOGIN alice \"secret pw\"");
  c.command("s", "SELECT INBOX");
  c.send("i IDLE\r\n");
  EXPECT_EQ(c.line(), "+ idling");
  fast.deliver(first_message);
  EXPECT_EQ(c.line(), "* 1 EXISTS");  // within a poll interval
  EXPECT_EQ(c.line(), "* 1 RECENT");
  c.send("DONE\r\n");
  EXPECT_EQ(c.line(), "i OK IDLE terminated");
  EXPECT_THAT(c.command("n", "NOOP"), HasSubstr("n OK"));
}

TEST_F(ImapSessionTest, IdleHearsOfADeliveryThroughThisStoreAtOnce) {
  auto options = ImapServer::default_options();
  options.idle_poll_interval = std::chrono::seconds(600);  // only the store's news can wake it
  options.idle_check_interval = std::chrono::seconds(600);
  ImapServer server(options);
  ImapClient c(server.port());
  c.line();
  c.command("l", "LOGIN alice \"secret pw\"");
  c.command("s", "SELECT INBOX");
  c.send("i IDLE\r\n");
  EXPECT_EQ(c.line(), "+ idling");
  server.deliver(first_message);
  EXPECT_EQ(c.line(), "* 1 EXISTS");  // the client's read gives up after 10 s
  EXPECT_EQ(c.line(), "* 1 RECENT");
  server.deliver(second_message);
  EXPECT_EQ(c.line(), "* 2 EXISTS");
  EXPECT_EQ(c.line(), "* 2 RECENT");
  c.send("DONE\r\n");
  EXPECT_EQ(c.line(), "i OK IDLE terminated");
  EXPECT_THAT(c.command("n", "NOOP"), HasSubstr("n OK"));
}

TEST_F(ImapSessionTest, ShutdownSaysBye) {
  login();
  server_.stop_sessions();
  EXPECT_EQ(client_.line(), "* BYE Server shutting down");
  client_.line();
  EXPECT_TRUE(client_.closed());
}

TEST_F(ImapSessionTest, AutologoutAfterIdleTimeout) {
  auto options = ImapServer::default_options();
  options.idle_timeout = std::chrono::seconds(1);
  ImapServer quick(options);
  ImapClient c(quick.port());
  c.line();
  EXPECT_EQ(c.line(), "* BYE Autologout; idle for too long");
}

TEST_F(ImapSessionTest, LogoutSaysByeThenOk) {
  EXPECT_EQ(client_.command("z", "LOGOUT"), "* BYE Logging out\r\nz OK LOGOUT completed\r\n");
  client_.line();
  EXPECT_TRUE(client_.closed());
}

TEST_F(ImapSessionTest, PipelinedCommandsGetRepliesInOrder) {
  login();
  client_.send("a NOOP\r\nb SELECT INBOX\r\nc NOOP\r\n");
  EXPECT_THAT(client_.response("a"), HasSubstr("a OK"));
  EXPECT_THAT(client_.response("b"), HasSubstr("b OK [READ-WRITE]"));
  EXPECT_THAT(client_.response("c"), HasSubstr("c OK"));
}

}  // namespace
}  // namespace dirmail::imap
