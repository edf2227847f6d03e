// MigrationJournal: what dirmail-import copied before, per mailbox, kept across runs
// and crashes (migration_journal.hpp).
#include "dirmail/migration/migration_journal.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../common/file_bytes.hpp"
#include "../common/temp_dir.hpp"

namespace dirmail::migration {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;
constexpr auto slurp = dirmail::testing::file_bytes;

bool before(MigrationJournal& journal, const std::string& root, std::string_view folder, std::string_view uidl) {
  auto r = journal.copied_before(root, folder, uidl);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() && *r;
}

TEST(JournalLine, Parses) {
  auto entry = parse_journal_line("Archive/2024\t0123ABCD");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->folder, "Archive/2024");
  EXPECT_EQ(entry->uidl, "0123ABCD");
  EXPECT_TRUE(parse_journal_line("保存済み\tx"));
  const std::vector<std::string> bad_lines = {
      "", "# comment\tX", "INBOX", "INBOX\t", "\tX", "INBOX\tA B", "INBOX\tA\tB", "IN\x01" "BOX\tA",
      "INBOX\t" + std::string(71, 'u'), "bad\xff\tA", std::string(max_journal_line_bytes, 'f') + "\tA"};
  for (const std::string& bad : bad_lines) {
    EXPECT_FALSE(parse_journal_line(bad)) << bad;
  }
  EXPECT_TRUE(parse_journal_line(std::string(255, 'f') + "\t" + std::string(70, 'u')));
}

TEST(MigrationJournal, RemembersCopiesAcrossRunsPerMailboxAndFolder) {
  TempDir dir;
  const std::string state = dir / "state/import";
  {
    auto journal = MigrationJournal::open(state);
    ASSERT_TRUE(journal.ok()) << journal.error().message;
    EXPECT_FALSE(before(*journal, "/mail/a", "INBOX", "U1"));
    ASSERT_TRUE(journal->record("/mail/a", "INBOX", {"U1", "U2"}).ok());
    ASSERT_TRUE(journal->record("/mail/a", "Archive", {"U3"}).ok());
    ASSERT_TRUE(journal->record("/mail/b", "INBOX", {"U9"}).ok());
    ASSERT_TRUE(journal->record("/mail/b", "INBOX", {}).ok());
    EXPECT_TRUE(before(*journal, "/mail/a", "INBOX", "U2"));
  }
  struct stat st {};
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto journal = MigrationJournal::open(state);
  ASSERT_TRUE(journal.ok());
  EXPECT_TRUE(before(*journal, "/mail/a", "INBOX", "U1"));
  EXPECT_TRUE(before(*journal, "/mail/a", "INBOX", "U2"));
  EXPECT_FALSE(before(*journal, "/mail/a", "INBOX", "U3"));  // it went into Archive
  EXPECT_TRUE(before(*journal, "/mail/a", "Archive", "U3"));
  EXPECT_FALSE(before(*journal, "/mail/a", "INBOX", "U9"));  // another mailbox's
  EXPECT_TRUE(before(*journal, "/mail/b", "INBOX", "U9"));
  EXPECT_FALSE(before(*journal, "/mail/a", "INBOX", "u1"));  // UIDLs are case-sensitive
  EXPECT_NE(journal->file_of("/mail/a"), journal->file_of("/mail/b"));
  const std::string text = slurp(journal->file_of("/mail/a"));
  EXPECT_EQ(text, "# dirmail-import journal: /mail/a\nINBOX\tU1\nINBOX\tU2\nArchive\tU3\n");
}

TEST(MigrationJournal, ReadOnlyReadsAMissingFolderAsEmptyAndWritesNothing) {
  TempDir dir;
  const std::string state = dir / "state/import";
  {
    auto journal = MigrationJournal::open_read_only(state);
    ASSERT_TRUE(journal.ok()) << journal.error().message;
    EXPECT_FALSE(before(*journal, "/mail/a", "INBOX", "U1"));
    EXPECT_TRUE(journal->record("/mail/a", "INBOX", {}).ok());
    auto refused = journal->record("/mail/a", "INBOX", {"U1"});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_FALSE(fs::exists(dir / "state"));

  // An existing journal is read as it is, and left as it is.
  auto writable = MigrationJournal::open(state);
  ASSERT_TRUE(writable.ok());
  ASSERT_TRUE(writable->record("/mail/a", "INBOX", {"U1"}).ok());
  const std::string text = slurp(writable->file_of("/mail/a"));
  auto journal = MigrationJournal::open_read_only(state);
  ASSERT_TRUE(journal.ok());
  EXPECT_TRUE(before(*journal, "/mail/a", "INBOX", "U1"));
  EXPECT_FALSE(journal->record("/mail/a", "INBOX", {"U2"}).ok());
  EXPECT_EQ(slurp(journal->file_of("/mail/a")), text);
  EXPECT_FALSE(fs::exists(journal->file_of("/mail/b")));
  EXPECT_FALSE(journal->record("/mail/b", "INBOX", {"U2"}).ok());
  EXPECT_FALSE(fs::exists(journal->file_of("/mail/b")));
}

TEST(MigrationJournal, DamagedAndCutLinesAreIgnored) {
  TempDir dir;
  auto journal = MigrationJournal::open(dir / "state");
  ASSERT_TRUE(journal.ok());
  const std::string file = journal->file_of("/mail/c");
  // A damaged line, an overlong one, and a last line cut short by a crash: "INBOX\tU4"
  // was being written as "INBOX\tU45", and must not count as copied.
  std::ofstream(file, std::ios::binary) << "INBOX\tU1\ngarbage\n" << std::string(5000, 'z') << "\tU2\n"
                                        << "INBOX\tU3\nINBOX\tU4";
  auto fresh = MigrationJournal::open(dir / "state");
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(before(*fresh, "/mail/c", "INBOX", "U1"));
  EXPECT_TRUE(before(*fresh, "/mail/c", "INBOX", "U3"));
  EXPECT_FALSE(before(*fresh, "/mail/c", "INBOX", "U4"));
  // The next record ends the cut line so that it never counts, and starts its own.
  ASSERT_TRUE(fresh->record("/mail/c", "INBOX", {"U5"}).ok());
  EXPECT_TRUE(slurp(file).ends_with("INBOX\tU4 (cut short)\nINBOX\tU5\n"));
  auto again = MigrationJournal::open(dir / "state");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(before(*again, "/mail/c", "INBOX", "U5"));
  EXPECT_FALSE(before(*again, "/mail/c", "INBOX", "U4"));

  // What cannot be a line is refused before anything is written.
  EXPECT_FALSE(fresh->record("/mail/c", "INBOX", {"has space"}).ok());
  EXPECT_FALSE(fresh->record("/mail/c", "IN\nBOX", {"U6"}).ok());
  EXPECT_TRUE(slurp(file).ends_with("INBOX\tU5\n"));
}

TEST(MigrationJournal, AnOversizedJournalIsRefused) {
  TempDir dir;
  auto journal = MigrationJournal::open(dir / "state");
  ASSERT_TRUE(journal.ok());
  const std::string file = journal->file_of("/mail/d");
  std::ofstream(file, std::ios::binary) << "INBOX\tU1\n";
  fs::resize_file(file, max_journal_bytes + 1);  // sparse: no disk used
  auto r = journal->copied_before("/mail/d", "INBOX", "U1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::migration
