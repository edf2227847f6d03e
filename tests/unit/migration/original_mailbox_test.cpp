// read_original_mailbox, flags_from_status_fields and original_mailbox_path: the
// original's mailbox folders as dirmail-import finds them (original_mailbox.hpp).
#include "dirmail/migration/original_mailbox.hpp"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::migration {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;

void write_file(const std::string& path, std::string_view data, std::int64_t mtime = 0) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
  if (mtime != 0) {
    struct timeval times[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
    ASSERT_EQ(::utimes(path.c_str(), times), 0);
  }
}

std::vector<std::string> uidls_of(const OriginalFolder& folder) {
  std::vector<std::string> out;
  for (const auto& m : folder.messages) out.push_back(m.uidl);
  return out;
}

bool skipped_with(const OriginalMailbox& box, std::string_view start) {
  for (const auto& s : box.skipped)
    if (s.starts_with(start)) return true;
  return false;
}

TEST(OriginalMailbox, MessagesAreEmlFilesNamedByTheirUidlInModificationOrder) {
  TempDir dir;
  const std::string box = dir / "inbox/yamada";
  write_file(box + "/B0000002.EML", "Subject: b\r\n\r\nb\r\n", 1700000200);
  write_file(box + "/A0000001.eml", "Subject: a\r\n\r\na\r\n", 1700000200);  // same time: by name
  write_file(box + "/C0000003.Eml", "Subject: c\r\n\r\nc\r\n", 1700000100);
  write_file(box + "/notes.txt", "not mail");
  write_file(box + "/.EML", "no name");
  write_file(box + "/" + std::string(71, 'X') + ".EML", "UIDL too long");
  write_file(box + "/has space.EML", "not a UIDL");
  write_file(box + "/IMS.CTL", "[AutoReply]\r\n");
  write_file(box + "/noreply.txt", "list@example.org\r\n");
  write_file(box + "/AUTOREPLY.LOG", "dirmail's own");
  fs::create_symlink(box + "/B0000002.EML", box + "/D0000004.EML");

  auto read = read_original_mailbox(box);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->folders.size(), 1u);
  const OriginalFolder& inbox = read->folders[0];
  EXPECT_EQ(inbox.name, "INBOX");
  EXPECT_EQ(inbox.path, box);
  EXPECT_EQ(uidls_of(inbox), (std::vector<std::string>{"C0000003", "A0000001", "B0000002"}));
  EXPECT_EQ(inbox.messages[0].file, "C0000003.Eml");
  EXPECT_EQ(inbox.messages[0].modified, 1700000100);
  EXPECT_EQ(inbox.messages[0].size, std::string_view("Subject: c\r\n\r\nc\r\n").size());
  EXPECT_EQ(read->user_files, (std::vector<std::string>{"IMS.CTL", "noreply.txt"}));
  EXPECT_TRUE(skipped_with(*read, "notes.txt: not a message file"));
  EXPECT_TRUE(skipped_with(*read, ".EML: not a message file"));
  EXPECT_TRUE(skipped_with(*read, std::string(71, 'X') + ".EML: its name is no POP3 UIDL"));
  EXPECT_TRUE(skipped_with(*read, "has space.EML: its name is no POP3 UIDL"));
  EXPECT_TRUE(skipped_with(*read, "AUTOREPLY.LOG: dirmail's own file"));
  EXPECT_TRUE(skipped_with(*read, "D0000004.EML: a symbolic link"));
  EXPECT_EQ(read->skipped.size(), 6u);
}

TEST(OriginalMailbox, SubfoldersAreImapFoldersNamedByTheirPath) {
  TempDir dir;
  const std::string box = dir / "box";
  write_file(box + "/1.EML", "a");
  write_file(box + "/Archive/2.EML", "b");
  write_file(box + "/Archive/2024/3.EML", "c");
  write_file(box + "/保存済み/4.EML", "d");
  write_file(box + "/Archive/IMS.CTL", "only the mailbox folder has user files");
  fs::create_directories(box + "/Empty");
  fs::create_directories(box + "/inbox");                // would be INBOX again
  fs::create_directories(box + "/bad\x01name");          // the store refuses control characters
  fs::create_directories(box + "/latin1-\xE9");          // not UTF-8
  fs::create_directory_symlink(box + "/Archive", box + "/Linked");

  auto read = read_original_mailbox(box);
  ASSERT_TRUE(read.ok()) << read.error().message;
  std::vector<std::string> names;
  for (const auto& f : read->folders) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "Archive", "Archive/2024", "Empty", "保存済み"}));
  EXPECT_EQ(uidls_of(read->folders[1]), std::vector<std::string>{"2"});
  EXPECT_EQ(uidls_of(read->folders[2]), std::vector<std::string>{"3"});
  EXPECT_EQ(read->folders[2].path, box + "/Archive/2024");
  EXPECT_TRUE(read->folders[3].messages.empty());
  EXPECT_TRUE(read->user_files.empty());
  EXPECT_TRUE(skipped_with(*read, "Archive/IMS.CTL: not a message file"));
  EXPECT_TRUE(skipped_with(*read, "inbox: would be INBOX again"));
  EXPECT_TRUE(skipped_with(*read, "bad\\x01name: not a folder name the store takes"));
  EXPECT_TRUE(skipped_with(*read, "latin1-\\xe9: its name is not UTF-8"));
  EXPECT_TRUE(skipped_with(*read, "Linked: a symbolic link"));
}

TEST(OriginalMailbox, BoundsAndErrors) {
  TempDir dir;
  auto missing = read_original_mailbox(dir / "nothing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  write_file(dir / "file", "x");
  auto not_folder = read_original_mailbox(dir / "file");
  ASSERT_FALSE(not_folder.ok());
  EXPECT_EQ(not_folder.error().code, ErrorCode::invalid_argument);

  // Folders deeper than max_folder_depth are left out, with a reason.
  std::string deep = dir / "deep";
  for (std::size_t i = 0; i < max_folder_depth + 1; ++i) deep += "/d";
  write_file(deep + "/1.EML", "deep");
  auto read = read_original_mailbox(dir / "deep");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(read->folders.size(), max_folder_depth + 1);
  EXPECT_EQ(read->folders.back().name.size(), 2 * max_folder_depth - 1);  // "d/d/.../d"
  ASSERT_EQ(read->skipped.size(), 1u);
  EXPECT_NE(read->skipped[0].find("deeper than 16 folder levels"), std::string::npos);

  // The list of skipped files is bounded; the rest are counted.
  for (std::size_t i = 0; i < max_listed_skipped + 5; ++i) write_file(dir / ("many/junk" + std::to_string(i)), "");
  auto many = read_original_mailbox(dir / "many");
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->skipped.size(), max_listed_skipped + 1);
  EXPECT_EQ(many->skipped.back(), "(5 more not listed)");

  // Two files for one UIDL (only a case-sensitive copy can have them): one is kept.
  write_file(dir / "twins/ABC.EML", "1");
  write_file(dir / "twins/ABC.eml", "2");
  auto twins = read_original_mailbox(dir / "twins");
  ASSERT_TRUE(twins.ok());
  ASSERT_EQ(twins->folders[0].messages.size(), 1u);
  EXPECT_EQ(twins->folders[0].messages[0].file, "ABC.EML");
  EXPECT_TRUE(skipped_with(*twins, "ABC.eml: the same UIDL"));
}

TEST(StatusFields, LettersGiveFlags) {
  using namespace store;
  EXPECT_EQ(flags_from_status_fields("Subject: x\r\n\r\nbody\r\n"), 0);
  EXPECT_EQ(flags_from_status_fields("Status: RO\r\n\r\n"), flag_seen);
  EXPECT_EQ(flags_from_status_fields("Status: O\r\nX-Status: AF\r\n\r\n"), flag_answered | flag_flagged);
  EXPECT_EQ(flags_from_status_fields("x-status: T\r\nSTATUS: R\r\n\r\n"), flag_draft | flag_seen);
  // \Deleted is not carried (original_mailbox.hpp says why).
  EXPECT_EQ(flags_from_status_fields("Status: RO\r\nX-Status: D\r\n\r\n"), flag_seen);
  // Folded fields are unfolded; LF-only headers too.
  EXPECT_EQ(flags_from_status_fields("X-Status:\r\n A\r\n F\r\n\r\n"), flag_answered | flag_flagged);
  EXPECT_EQ(flags_from_status_fields("Status: R\nX-Status: A\n\n"), flag_seen | flag_answered);
  // Only the header section counts, and only these two fields.
  EXPECT_EQ(flags_from_status_fields("Subject: x\r\n\r\nStatus: RO\r\n"), 0);
  EXPECT_EQ(flags_from_status_fields("X-Status-Note: AF\r\nSubject: RAFT\r\n\r\n"), 0);
  EXPECT_EQ(flags_from_status_fields("Status: ro\r\n\r\n"), 0);  // the letters are upper case
  // A field past max_status_header_bytes is not looked at.
  std::string long_header = "X-Pad: " + std::string(max_status_header_bytes, 'p') + "\r\nStatus: R\r\n\r\n";
  EXPECT_EQ(flags_from_status_fields(long_header), 0);
}

TEST(OriginalLayout, NamesAndPaths) {
  for (auto layout : {OriginalLayout::common, OriginalLayout::per_domain, OriginalLayout::home})
    EXPECT_EQ(parse_original_layout(to_string(layout)), layout);
  EXPECT_FALSE(parse_original_layout("per_domain"));
  EXPECT_FALSE(parse_original_layout(""));

  SoftAccount row;
  row.account = "yamada0000";
  row.domain = "abc.jp";
  OriginalMailboxPlace place{OriginalLayout::common, "/srv/old/work"};
  EXPECT_EQ(original_mailbox_path(place, row, std::nullopt), "/srv/old/work/inbox/yamada0000");
  place.layout = OriginalLayout::per_domain;
  EXPECT_EQ(original_mailbox_path(place, row, std::nullopt), "/srv/old/work/inbox/abc.jp/yamada0000");
  place.layout = OriginalLayout::home;
  EXPECT_EQ(original_mailbox_path(place, row, std::string("/mnt/FS1/home/yamada0000")),
            "/mnt/FS1/home/yamada0000/INETMAIL/INBOX");
  EXPECT_FALSE(original_mailbox_path(place, row, std::nullopt));
  EXPECT_FALSE(original_mailbox_path(place, row, std::string()));

  place.layout = OriginalLayout::per_domain;
  SoftAccount no_domain = row;
  no_domain.domain.clear();
  EXPECT_FALSE(original_mailbox_path(place, no_domain, std::nullopt));
  const std::vector<std::string> bad_names = {"", ".", "..", "a/b", "a\\b", "x..y", std::string("a\0b", 3)};
  for (const std::string& bad : bad_names) {
    SoftAccount r = row;
    r.account = bad;
    EXPECT_FALSE(original_mailbox_path(OriginalMailboxPlace{OriginalLayout::common, "/w"}, r, std::nullopt)) << bad;
    r = row;
    r.domain = bad;
    EXPECT_FALSE(original_mailbox_path(place, r, std::nullopt)) << bad;
  }
}

}  // namespace
}  // namespace dirmail::migration
