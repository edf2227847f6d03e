// The folder commands end to end over a real socket: what a client sees from CREATE,
// DELETE, RENAME, SUBSCRIBE, LIST, LSUB, STATUS, SELECT, APPEND, COPY and MOVE. Each
// test runs twice: on an in-memory store with MailStore's folder semantics, and on
// the posix store.
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dirmail/imap/command.hpp"
#include "memory_mail_store.hpp"
#include "session_harness.hpp"

namespace dirmail::imap {
namespace {

using testing::ImapClient;
using testing::ImapServer;
using testing::MemoryMailStore;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string note = "From: a@example.org\r\nSubject: note\r\n\r\nremember\r\n";

// The response with every UIDVALIDITY written as V (new folders get new ones).
std::string masked(const std::string& response) {
  static const std::regex uidvalidity(R"((COPYUID|APPENDUID|UIDVALIDITY) \d+)");
  return std::regex_replace(response, uidvalidity, "$1 V");
}

enum class Backend { memory, posix };

class MailboxSessionTest : public ::testing::TestWithParam<Backend> {
 protected:
  explicit MailboxSessionTest(ImapOptions options = ImapServer::default_options())
      : server_(options, true, GetParam() == Backend::memory ? &memory_ : nullptr),
        store_(server_.store()),
        client_(server_.port()) {
    client_.line();
    EXPECT_THAT(client_.command("l", "LOGIN alice@example.test \"secret pw\""), HasSubstr("l OK"));
  }
  std::vector<std::string> folders() {
    auto f = store_.list_folders(server_.alice_root());
    return f.ok() ? *f : std::vector<std::string>{};
  }
  // "a APPEND ..." with a synchronizing literal, the way imaplib sends it.
  std::string append(const std::string& tag, const std::string& head, const std::string& message) {
    client_.send(tag + " APPEND " + head + " {" + std::to_string(message.size()) + "}\r\n");
    std::string go = client_.line();
    if (go.rfind("+", 0) != 0) return go + "\r\n";
    client_.send(message + "\r\n");
    return client_.response(tag);
  }

  MemoryMailStore memory_;
  ImapServer server_;
  store::MailStore& store_;
  ImapClient client_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::memory ? "Memory" : "Posix";
}

TEST_P(MailboxSessionTest, LoginCreatesAndSubscribesTheSpecialUseFolders) {
  EXPECT_THAT(folders(), ElementsAre("INBOX", "Drafts", "Junk", "Sent", "Trash"));
  auto list = client_.command("a", "LIST \"\" *");
  EXPECT_THAT(list, HasSubstr("* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"));
  EXPECT_THAT(list, HasSubstr("* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"));
  EXPECT_EQ(client_.command("b", "LIST (SPECIAL-USE) \"\" *"),
            "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n* LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n"
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"
            "b OK LIST completed\r\n");
  EXPECT_EQ(client_.command("c", "LSUB \"\" *"),
            "* LSUB () \"/\" INBOX\r\n* LSUB () \"/\" Drafts\r\n* LSUB () \"/\" Junk\r\n* LSUB () \"/\" Sent\r\n"
            "* LSUB () \"/\" Trash\r\nc OK LSUB completed\r\n");
  // A folder the user deleted comes back at the next login.
  EXPECT_THAT(client_.command("d", "DELETE Junk"), HasSubstr("d OK"));
  ImapClient again(server_.port());
  again.line();
  again.command("l", "LOGIN alice \"secret pw\"");
  EXPECT_THAT(folders(), ElementsAre("INBOX", "Drafts", "Junk", "Sent", "Trash"));
}

TEST_P(MailboxSessionTest, CapabilitiesNameTheExtensions) {
  auto caps = client_.command("c", "CAPABILITY");
  for (const char* ext : {" UIDPLUS", " MOVE", " CHILDREN", " LIST-EXTENDED", " SPECIAL-USE", " APPENDLIMIT=26214400"})
    EXPECT_THAT(caps, HasSubstr(ext));
}

TEST_P(MailboxSessionTest, CreateRenameDeleteWithHierarchy) {
  EXPECT_EQ(client_.command("a", "CREATE Archive/"), "a OK CREATE completed\r\n");  // trailing delimiter
  EXPECT_EQ(client_.command("b", "CREATE Archive/2024"), "b OK CREATE completed\r\n");
  EXPECT_THAT(client_.command("c", "CREATE Archive"), StartsWith("c NO [ALREADYEXISTS]"));
  EXPECT_THAT(client_.command("d", "CREATE inbox"), StartsWith("d NO [ALREADYEXISTS]"));
  EXPECT_EQ(client_.command("e", "CREATE Entw&APw-rfe"), "e OK CREATE completed\r\n");
  EXPECT_THAT(folders(), ::testing::Contains("Entw\xc3\xbcrfe"));
  EXPECT_EQ(client_.command("f", "LIST \"\" Archive*"),
            "* LIST (\\HasChildren) \"/\" Archive\r\n* LIST (\\HasNoChildren) \"/\" Archive/2024\r\nf OK LIST completed\r\n");
  EXPECT_THAT(client_.command("g", "LIST \"\" Entw*"), HasSubstr("* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n"));
  EXPECT_THAT(client_.command("h", "DELETE Archive"), StartsWith("h NO [HASCHILDREN]"));
  EXPECT_THAT(client_.command("i", "DELETE INBOX"), StartsWith("i NO [CANNOT]"));
  EXPECT_THAT(client_.command("j", "DELETE Nothing"), StartsWith("j NO [NONEXISTENT]"));
  EXPECT_THAT(client_.command("k", "RENAME Nothing Else"), StartsWith("k NO [NONEXISTENT]"));
  EXPECT_THAT(client_.command("m", "RENAME Archive Sent"), StartsWith("m NO [ALREADYEXISTS]"));
  EXPECT_THAT(client_.command("n", "RENAME Archive Archive/x"), StartsWith("n NO [CANNOT]"));
  EXPECT_EQ(client_.command("o", "SUBSCRIBE Archive/2024"), "o OK SUBSCRIBE completed\r\n");
  EXPECT_EQ(client_.command("p", "RENAME Archive Old"), "p OK RENAME completed\r\n");
  EXPECT_THAT(folders(), ::testing::IsSupersetOf({"Old", "Old/2024"}));
  EXPECT_THAT(folders(), Not(::testing::Contains("Archive")));
  EXPECT_THAT(client_.command("q", "LSUB \"\" Old/*"), HasSubstr("* LSUB () \"/\" Old/2024\r\n"));  // followed
  EXPECT_EQ(client_.command("r", "DELETE Old/2024"), "r OK DELETE completed\r\n");
  EXPECT_EQ(client_.command("s", "DELETE Old"), "s OK DELETE completed\r\n");
  EXPECT_EQ(client_.command("t", "UNSUBSCRIBE Old/2024"), "t OK UNSUBSCRIBE completed\r\n");
  EXPECT_THAT(client_.command("u", "UNSUBSCRIBE INBOX"), StartsWith("u NO [CANNOT]"));
}

TEST_P(MailboxSessionTest, ImpliedParentsAreNoselect) {
  client_.command("a", "CREATE a/b/c");
  EXPECT_EQ(client_.command("b", "LIST \"\" a/%"), "* LIST (\\Noselect \\HasChildren) \"/\" a/b\r\nb OK LIST completed\r\n");
  EXPECT_EQ(client_.command("c", "LIST () \"\" a"), "* LIST (\\NonExistent \\HasChildren) \"/\" a\r\nc OK LIST completed\r\n");
  EXPECT_THAT(client_.command("d", "SELECT a/b"), StartsWith("d NO [NONEXISTENT]"));
  EXPECT_EQ(client_.command("e", "CREATE a/b"), "e OK CREATE completed\r\n");  // a parent may be created later
}

TEST_P(MailboxSessionTest, TraversalProbesAreRefusedAndCreateNothing) {
  const auto before = folders();
  for (std::string probe : {"../x", "\"a/../b\"", "&AC4ALgAv-", "\"\\\\\"", "\"..\"", "/etc", "\"a//b\"", "&AC4-",
                            "\"&AAo-\"", "\"x*\""}) {
    EXPECT_THAT(client_.command("a", "CREATE " + probe), StartsWith("a NO [CANNOT]")) << probe;
    EXPECT_THAT(client_.command("b", "SELECT " + probe), StartsWith("b NO [CANNOT]")) << probe;
    EXPECT_THAT(client_.command("c", "RENAME Sent " + probe), StartsWith("c NO [CANNOT]")) << probe;
    EXPECT_THAT(client_.command("d", "APPEND " + probe + " {1+}\r\nx"), StartsWith("d NO [CANNOT]")) << probe;
  }
  EXPECT_EQ(folders(), before);
}

TEST_P(MailboxSessionTest, StatusAndSelectOfAnyFolder) {
  EXPECT_THAT(append("a", "Sent (\\Seen)", note), HasSubstr("a OK [APPENDUID"));
  EXPECT_THAT(append("b", "Sent", note), HasSubstr("b OK [APPENDUID"));
  auto status = client_.command("c", "STATUS Sent (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)");
  EXPECT_EQ(masked(status), "* STATUS Sent (MESSAGES 2 UNSEEN 1 UIDNEXT 3 UIDVALIDITY V RECENT 2)\r\nc OK STATUS completed\r\n");
  EXPECT_THAT(client_.command("d", "STATUS Nothing (MESSAGES)"), StartsWith("d NO [NONEXISTENT]"));
  auto select = client_.command("e", "EXAMINE Sent");
  EXPECT_THAT(select, HasSubstr("* 2 EXISTS\r\n"));
  EXPECT_THAT(select, HasSubstr("* OK [UNSEEN 2]"));
  EXPECT_THAT(select, HasSubstr("e OK [READ-ONLY]"));
  EXPECT_THAT(client_.command("f", "FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
              HasSubstr("* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {17}\r\nSubject: note\r\n\r\n)"));
  EXPECT_THAT(client_.command("g", "SELECT Nothing"), StartsWith("g NO [NONEXISTENT]"));
  EXPECT_THAT(client_.command("h", "FETCH 1 FLAGS"), StartsWith("h BAD No mailbox selected"));
}

TEST_P(MailboxSessionTest, AppendWithFlagsAndDateThenFetchBack) {
  auto r = append("a", "Drafts (\\Draft \\Flagged $Later) \"17-Jul-1996 02:44:25 -0700\"", note);
  EXPECT_EQ(masked(r), "a OK [APPENDUID V 1] APPEND completed\r\n");
  client_.command("s", "SELECT Drafts");
  auto f = client_.command("f", "UID FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])");
  EXPECT_THAT(f, HasSubstr("FLAGS (\\Flagged \\Draft \\Recent $Later)"));
  EXPECT_THAT(f, HasSubstr("INTERNALDATE \"17-Jul-1996 09:44:25 +0000\""));
  EXPECT_THAT(f, HasSubstr("RFC822.SIZE " + std::to_string(note.size())));
  EXPECT_THAT(f, HasSubstr("BODY[] {" + std::to_string(note.size()) + "}\r\n" + note + ")"));
  // Non-synchronizing (LITERAL+), into the selected mailbox: the client hears of it.
  client_.send("b APPEND Drafts {" + std::to_string(note.size()) + "+}\r\n" + note + "\r\n");
  auto b = client_.response("b");
  EXPECT_THAT(b, HasSubstr("* 2 EXISTS\r\n"));
  EXPECT_THAT(masked(b), HasSubstr("b OK [APPENDUID V 2] APPEND completed"));
  // Larger than any other literal may be.
  const std::string large = "Subject: large\r\n\r\n" + std::string(200000, 'x') + "\r\n";
  EXPECT_THAT(append("c", "INBOX", large), HasSubstr("c OK [APPENDUID"));
  EXPECT_THAT(append("d", "Nothing", note), StartsWith("d NO [TRYCREATE]"));
  EXPECT_THAT(append("e", "INBOX", ""), StartsWith("e NO [CANNOT]"));
}

TEST_P(MailboxSessionTest, CopyAndMoveReportUidsAndExpunges) {
  for (int i = 0; i < 4; ++i) server_.deliver(note);
  client_.command("s", "SELECT INBOX");
  client_.command("x", "CREATE Archive");
  EXPECT_EQ(masked(client_.command("a", "COPY 2:3 Archive")), "a OK [COPYUID V 2:3 1:2] COPY completed\r\n");
  EXPECT_EQ(masked(client_.command("b", "UID COPY 1,4 Archive")), "b OK [COPYUID V 1,4 3:4] COPY completed\r\n");
  EXPECT_THAT(client_.command("c", "UID COPY 99 Archive"), StartsWith("c OK COPY completed"));  // nothing named
  EXPECT_THAT(client_.command("d", "COPY 1 Nothing"), StartsWith("d NO [TRYCREATE]"));
  EXPECT_THAT(client_.command("e", "COPY 9 Archive"), StartsWith("e BAD"));
  EXPECT_EQ(masked(client_.command("f", "UID MOVE 2:3 Trash")),
            "* OK [COPYUID V 2:3 1:2] Moved\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nf OK MOVE completed\r\n");
  EXPECT_EQ(client_.command("g", "UID SEARCH ALL"), "* SEARCH 1 4\r\ng OK UID SEARCH completed\r\n");
  auto inbox = store_.status(server_.alice_root(), "INBOX");
  ASSERT_TRUE(inbox.ok());
  EXPECT_EQ(inbox->messages.size(), 2u);
  EXPECT_EQ(store_.status(server_.alice_root(), "Trash")->messages.size(), 2u);
  EXPECT_EQ(store_.status(server_.alice_root(), "Archive")->messages.size(), 4u);
  EXPECT_THAT(client_.command("h", "MOVE 1 Nothing"), StartsWith("h NO [TRYCREATE]"));
  client_.command("i", "EXAMINE INBOX");
  EXPECT_THAT(client_.command("j", "MOVE 1 Trash"), StartsWith("j NO [READ-ONLY]"));
  EXPECT_EQ(masked(client_.command("k", "COPY 1 Trash")), "k OK [COPYUID V 1 3] COPY completed\r\n");
}

TEST_P(MailboxSessionTest, RenamingOrDeletingTheSelectedMailbox) {
  client_.command("a", "CREATE Work");
  append("b", "Work", note);
  client_.command("c", "SELECT Work");
  EXPECT_EQ(client_.command("d", "RENAME Work Done"), "d OK RENAME completed\r\n");
  EXPECT_THAT(client_.command("e", "FETCH 1 (UID)"), HasSubstr("* 1 FETCH (UID 1)"));  // still selected, renamed
  EXPECT_THAT(client_.command("f", "NOOP"), StartsWith("f OK"));
  EXPECT_EQ(client_.command("g", "DELETE Done"), "* OK [CLOSED] The selected mailbox was deleted\r\ng OK DELETE completed\r\n");
  EXPECT_THAT(client_.command("h", "FETCH 1 (UID)"), StartsWith("h BAD No mailbox selected"));
}

TEST_P(MailboxSessionTest, RenameInboxMovesItsMessages) {
  server_.deliver(note);
  EXPECT_EQ(client_.command("a", "RENAME INBOX Old-Inbox"), "a OK RENAME completed\r\n");
  EXPECT_THAT(client_.command("b", "STATUS INBOX (MESSAGES)"), HasSubstr("(MESSAGES 0)"));
  EXPECT_THAT(client_.command("c", "STATUS Old-Inbox (MESSAGES)"), HasSubstr("(MESSAGES 1)"));
}

TEST_P(MailboxSessionTest, AppendOverTheSizeLimit) {
  // Synchronizing: refused before the client sends anything; the session stays in step.
  client_.send("a APPEND INBOX {" + std::to_string(26214401) + "}\r\n");
  EXPECT_EQ(client_.line(), "a NO [TOOBIG] Message larger than the 26214400-byte APPEND limit");
  EXPECT_THAT(client_.command("b", "NOOP"), StartsWith("b OK"));
  // Non-synchronizing: it is already on its way, so the connection ends.
  client_.send("c APPEND INBOX {" + std::to_string(26214401) + "+}\r\n");
  EXPECT_EQ(client_.line(), "c NO [TOOBIG] Message larger than the 26214400-byte APPEND limit");
  EXPECT_THAT(client_.line(), StartsWith("* BYE [TOOBIG]"));
  client_.line();
  EXPECT_TRUE(client_.closed());
}

ImapOptions limited_options() {
  auto o = ImapServer::default_options();
  o.mailbox_limit = 1000;
  o.max_append_size = 5000;
  return o;
}

class LimitedMailboxSessionTest : public MailboxSessionTest {
 protected:
  LimitedMailboxSessionTest() : MailboxSessionTest(limited_options()) {}
};

TEST_P(LimitedMailboxSessionTest, AppendAndCopyRespectTheMailboxLimit) {
  EXPECT_THAT(client_.command("c", "CAPABILITY"), HasSubstr(" APPENDLIMIT=5000"));
  const std::string half(450, 'x');
  EXPECT_THAT(append("a", "INBOX", half), HasSubstr("a OK [APPENDUID"));
  EXPECT_THAT(append("b", "Sent", half), HasSubstr("b OK [APPENDUID"));
  EXPECT_THAT(append("c", "Sent", half), StartsWith("c NO [OVERQUOTA] Mailbox full"));
  EXPECT_THAT(append("d", "Sent", std::string(1001, 'x')), StartsWith("d NO [OVERQUOTA] Larger than the whole"));
  client_.command("s", "SELECT INBOX");
  EXPECT_THAT(client_.command("e", "COPY 1 Trash"), StartsWith("e NO [OVERQUOTA]"));
  EXPECT_EQ(store_.status(server_.alice_root(), "Trash")->messages.size(), 0u);
  // MOVE adds nothing in all: a full mailbox can still move mail to Trash.
  EXPECT_THAT(masked(client_.command("f", "MOVE 1 Trash")), HasSubstr("f OK MOVE completed"));
  EXPECT_EQ(store_.status(server_.alice_root(), "Trash")->messages.size(), 1u);
}

// A spool folder (made on first use) and a mailbox limit of 1 MB.
struct SpoolFolder {
  testing::TempFolder folder;
  std::string path = folder.path() + "/spool";
};

ImapOptions spooling_options(const std::string& spool_dir) {
  auto o = ImapServer::default_options();
  o.mailbox_limit = 1000000;
  o.spool_dir = spool_dir;
  return o;
}

// This process's open files in `dir` (an anonymous file shows as "dir/#123 (deleted)").
std::size_t open_files_in(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target.string().rfind(dir + "/", 0) == 0) ++n;
  }
  return n;
}

class SpoolingSessionTest : private SpoolFolder, public MailboxSessionTest {
 protected:
  SpoolingSessionTest() : MailboxSessionTest(spooling_options(SpoolFolder::path)) {}
  const std::string& spool() const { return SpoolFolder::path; }
  bool spool_empty() const {
    std::error_code ec;
    return std::filesystem::is_empty(spool(), ec) && !ec;
  }
  // A message of `size` bytes with every byte value but NUL and many lines.
  static std::string large_message(std::size_t size) {
    std::string m = "Subject: large\r\n\r\n";
    for (std::size_t i = 0; m.size() < size; ++i) m += (i % 77 == 76) ? '\n' : static_cast<char>(1 + i % 255);
    m.resize(size);
    return m;
  }
  std::size_t inbox_count() {
    auto status = store_.status(server_.alice_root(), "INBOX");
    return status.ok() ? status->messages.size() : 99;
  }
  void wait_for_sessions(std::size_t n) {
    for (int i = 0; i < 500 && server_.sessions().size() != n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
};

TEST_P(SpoolingSessionTest, LargeMessagesAreStoredByteExact) {
  const std::string first = large_message(300000);
  const std::string second = large_message(message_spool_threshold + 1);
  EXPECT_THAT(append("a", "INBOX", first), HasSubstr("a OK [APPENDUID"));
  client_.command("s", "SELECT INBOX");
  client_.send("b APPEND INBOX (\\Seen) {" + std::to_string(second.size()) + "+}\r\n" + second + "\r\n");
  EXPECT_THAT(client_.response("b"), HasSubstr("* 2 EXISTS\r\n"));
  EXPECT_EQ(client_.command("f", "FETCH 1 BODY.PEEK[]"),
            "* 1 FETCH (BODY[] {300000}\r\n" + first + ")\r\nf OK FETCH completed\r\n");
  EXPECT_THAT(client_.command("g", "FETCH 2 (FLAGS BODY.PEEK[])"),
              HasSubstr("BODY[] {" + std::to_string(second.size()) + "}\r\n" + second + ")\r\n"));
  EXPECT_TRUE(spool_empty());  // the folder was used (made) and holds no file
  EXPECT_EQ(open_files_in(spool()), 0u);
}

TEST_P(SpoolingSessionTest, OverTheMailboxLimitBeforeTheMessageIsSent) {
  client_.send("a APPEND INBOX {1000001}\r\n");
  EXPECT_THAT(client_.line(), StartsWith("a NO [OVERQUOTA] Larger than the whole mailbox limit"));
  EXPECT_THAT(client_.command("b", "NOOP"), StartsWith("b OK"));
  EXPECT_THAT(append("c", "INBOX", large_message(600000)), HasSubstr("c OK [APPENDUID"));
  EXPECT_THAT(append("d", "INBOX", large_message(600000)), StartsWith("d NO [OVERQUOTA] Mailbox full"));
  EXPECT_EQ(inbox_count(), 1u);
}

TEST_P(SpoolingSessionTest, ACutConnectionLeavesNoMessageAndNoFile) {
  ImapClient other(server_.port());
  other.line();
  EXPECT_THAT(other.command("l", "LOGIN alice@example.test \"secret pw\""), HasSubstr("l OK"));
  other.send("a APPEND INBOX {300000}\r\n");
  EXPECT_EQ(other.line(), "+ Ready for literal data");
  other.send(std::string(100000, 'x'));
  // The bytes go to a file with no name while they arrive.
  for (int i = 0; i < 500 && open_files_in(spool()) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(open_files_in(spool()), 1u);
  EXPECT_TRUE(spool_empty());
  other.close();
  wait_for_sessions(1);
  EXPECT_EQ(server_.sessions().size(), 1u);
  EXPECT_EQ(open_files_in(spool()), 0u);
  EXPECT_TRUE(spool_empty());
  EXPECT_EQ(inbox_count(), 0u);
}

TEST_P(SpoolingSessionTest, AnUnusableSpoolFolderRefusesTheMessage) {
  std::filesystem::create_directories(std::filesystem::path(spool()).parent_path());
  { std::ofstream(spool()) << "not a folder"; }
  const std::string message = large_message(200000);
  EXPECT_THAT(append("a", "INBOX", message), StartsWith("a NO [UNAVAILABLE]"));  // before "+"
  // LITERAL+: the bytes are on their way; they are read and dropped, then NO.
  client_.send("b APPEND INBOX {" + std::to_string(message.size()) + "+}\r\n" + message + "\r\n");
  EXPECT_THAT(client_.response("b"), StartsWith("b NO [UNAVAILABLE]"));
  EXPECT_THAT(client_.command("c", "NOOP"), StartsWith("c OK"));
  EXPECT_THAT(append("d", "INBOX", note), HasSubstr("d OK [APPENDUID"));  // small ones stay in memory
  EXPECT_EQ(inbox_count(), 1u);
}

TEST_P(SpoolingSessionTest, NothingMayFollowASpooledMessage) {
  const std::string message = large_message(100000);
  client_.send("a APPEND INBOX {" + std::to_string(message.size()) + "+}\r\n" + message + " {3}\r\n");
  EXPECT_EQ(client_.line(), "a BAD Nothing may follow APPEND's message");
  EXPECT_THAT(client_.command("b", "NOOP"), StartsWith("b OK"));
  EXPECT_EQ(inbox_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, SpoolingSessionTest, ::testing::Values(Backend::memory, Backend::posix),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(Stores, MailboxSessionTest, ::testing::Values(Backend::memory, Backend::posix),
                         backend_name);
INSTANTIATE_TEST_SUITE_P(Stores, LimitedMailboxSessionTest, ::testing::Values(Backend::memory, Backend::posix),
                         backend_name);

}  // namespace
}  // namespace dirmail::imap
