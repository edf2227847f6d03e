#include "dirmail/base/journal_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace dirmail::log {
namespace {

TEST(JournalEntry, KeepsTheLinesStructureAsFields) {
  std::string entry = journal_entry(
      "smtp", Level::info,
      "type=receive queue_id=0ABC from=alice@example.test to=bob@example.test to=carol@example.test "
      "message_id=\"<a b@x>\" msg=\"queued\"");
  EXPECT_EQ(entry,
            "PRIORITY=6\nSYSLOG_IDENTIFIER=dirmaild\nDIRMAIL_SERVICE=smtp\nDIRMAIL_TYPE=receive\n"
            "DIRMAIL_QUEUE_ID=0ABC\nDIRMAIL_FROM=alice@example.test\nDIRMAIL_TO=bob@example.test\n"
            "DIRMAIL_TO=carol@example.test\nDIRMAIL_MESSAGE_ID=<a b@x>\n"
            "MESSAGE=type=receive queue_id=0ABC from=alice@example.test to=bob@example.test "
            "to=carol@example.test message_id=\"<a b@x>\" msg=\"queued\"\n");
}

TEST(JournalEntry, PriorityFollowsTheLevel) {
  EXPECT_EQ(journal_entry("daemon", Level::error, "type=daemon msg=\"x\"").substr(0, 11), "PRIORITY=3\n");
  EXPECT_EQ(journal_entry("daemon", Level::warn, "type=daemon msg=\"x\"").substr(0, 11), "PRIORITY=4\n");
}

TEST(JournalEntry, OddKeysBecomeValidFieldNamesAndAnUnreadableLineStaysAMessage) {
  std::string entry = journal_entry("imap", Level::info, "type=auth weird-key.x=1 msg=\"login\"");
  EXPECT_NE(entry.find("\nDIRMAIL_WEIRD_KEY_X=1\n"), std::string::npos) << entry;
  entry = journal_entry("imap", Level::info, "not a structured line \"");
  EXPECT_EQ(entry.find("DIRMAIL_TYPE"), std::string::npos);
  EXPECT_NE(entry.find("\nMESSAGE=not a structured line \"\n"), std::string::npos) << entry;
}

TEST(JournalEntry, HugeLinesAreCut) {
  std::string payload = "type=receive";
  for (int i = 0; i < 20000; ++i) payload += fmt::format(" to=user{}@example.test", i);
  payload += " msg=\"queued\"";
  std::string entry = journal_entry("smtp", Level::info, payload);
  EXPECT_LE(entry.size(), kMaxJournalEntryBytes);
  EXPECT_NE(entry.find("\nDIRMAIL_TRUNCATED=1\n"), std::string::npos);
  EXPECT_NE(entry.find("\nDIRMAIL_TO=user0@example.test\n"), std::string::npos);
  std::size_t lines = 0;
  for (char c : entry) lines += c == '\n';
  EXPECT_LE(lines, kMaxJournalFields + 2);
}

TEST(StderrIsJournal, FollowsJournalStreamAgainstStderr) {
  struct stat st{};
  ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
  ::setenv("JOURNAL_STREAM", fmt::format("{}:{}", st.st_dev, st.st_ino).c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());
  ::setenv("JOURNAL_STREAM", fmt::format("{}:{}", st.st_dev, st.st_ino + 1).c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
}

}  // namespace
}  // namespace dirmail::log
