// read_soft_accounts: the original's export as its Japanese Windows tools write it
// (CP932 or UTF-8 with a BOM, CR LF), and every kind of damaged row reported by line
// number and skipped.
#include "dirmail/migration/soft_account_reader.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace dirmail::migration {
namespace {

constexpr std::string_view yamada_cp932 = "\x8e\x52\x93\x63\x91\xbe\x98\x59";  // 山田太郎
constexpr std::string_view suzuki_cp932 = "\x97\xe9\x96\xd8\x89\xd4\x8e\x71";  // 鈴木花子
constexpr std::string_view hyouji_cp932 = "\x95\x5c\x8e\xa6";                  // 表示 (0x5C trail byte)

std::string row(std::string_view account, std::string_view password, std::string_view name, std::string_view domain,
                std::string_view home, std::string_view smtp, std::string_view apop, std::string_view limit,
                std::string_view end = "\r\n") {
  std::string out;
  for (auto f : {account, password, name, domain, home, smtp, apop}) {
    out += f;
    out += '\t';
  }
  out += limit;
  out += end;
  return out;
}

SoftAccountFile read_ok(std::string_view content, const ReadOptions& options = {}) {
  auto file = read_soft_accounts(content, options);
  EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().message);
  return file.ok() ? std::move(*file) : SoftAccountFile{};
}

TEST(SoftAccountReader, Cp932ExportWithJapaneseNames) {
  std::string content = row("yamada", "Pass-1234", yamada_cp932, "abc.jp", "C:\\home\\yamada", "1", "0", "1048576") +
                        row("suzuki", "", suzuki_cp932, "def.jp", "\\\\fs1\\home\\suzuki", "0", "1", "0") +
                        row("hyouji", "x", hyouji_cp932, "", "", "0", "0", "");
  auto file = read_ok(content);
  EXPECT_EQ(file.encoding.encoding, ExportEncoding::cp932);
  EXPECT_TRUE(file.problems.empty());
  EXPECT_TRUE(file.conflicts.empty());
  EXPECT_EQ(file.lines, 3u);
  ASSERT_EQ(file.rows.size(), 3u);

  const SoftAccount yamada{"yamada", "Pass-1234", "山田太郎", "abc.jp", "C:\\home\\yamada", true, false, 1048576};
  EXPECT_EQ(file.rows[0].account, yamada);
  EXPECT_EQ(file.rows[0].line, 1u);
  EXPECT_FALSE(file.rows[0].conflict);
  const SoftAccount suzuki{"suzuki", "", "鈴木花子", "def.jp", "\\\\fs1\\home\\suzuki", false, true, 0};
  EXPECT_EQ(file.rows[1].account, suzuki);
  // Blank domain (a user in no domain group, test T14), blank limit = no limit.
  const SoftAccount hyouji{"hyouji", "x", "表示", "", "", false, false, 0};
  EXPECT_EQ(file.rows[2].account, hyouji);
  EXPECT_EQ(file.rows[2].line, 3u);
}

TEST(SoftAccountReader, Utf8WithByteOrderMark) {
  std::string content = "\xEF\xBB\xBF" + row("yamada", "pw", "山田太郎", "abc.jp", "", "0", "0", "0") +
                        row("suzuki", "pw", "鈴木花子", "abc.jp", "", "0", "0", "0", "");  // no final line end
  auto file = read_ok(content);
  EXPECT_EQ(file.encoding.encoding, ExportEncoding::utf8);
  EXPECT_TRUE(file.encoding.bom);
  EXPECT_TRUE(file.problems.empty());
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[0].account.account, "yamada");  // the BOM is not part of the first name
  EXPECT_EQ(file.rows[0].account.full_name, "山田太郎");
  EXPECT_EQ(file.rows[1].account.full_name, "鈴木花子");
  EXPECT_EQ(file.rows[1].line, 2u);
}

TEST(SoftAccountReader, LineEndsAndBlankLines) {
  // LF only, a blank line (counted, not a problem), CR LF, and trailing empty fields.
  std::string content = row("a", "", "", "", "", "0", "0", "0", "\n") + "\n" + "\r\n" +
                        row("b", "", "", "", "", "0", "0", "0", "\t\t\r\n");
  auto file = read_ok(content);
  EXPECT_TRUE(file.problems.empty());
  EXPECT_EQ(file.lines, 4u);
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[1].line, 4u);
  EXPECT_EQ(file.rows[1].account.mailbox_limit, 0u);
}

TEST(SoftAccountReader, DamagedRowsAreReportedByLineAndSkipped) {
  const std::string pw = "Secret-pw-77";
  std::string content =
      row("yamada", pw, yamada_cp932, "abc.jp", "", "0", "0", "0") +                   // 1 good
      "user2\t" + pw + "\tname\tabc.jp\t\t0\t0\r\n" +                                   // 2 seven fields
      row("user3", pw, std::string("na\0me", 5), "abc.jp", "", "0", "0", "0") +        // 3 NUL byte
      row("", pw, "name", "abc.jp", "", "0", "0", "0") +                                // 4 empty account
      row("user5", pw, "name", "abc.jp", "", "yes", "0", "0") +                         // 5 bad flag
      row("user6", pw, "name", "abc.jp", "", "0", "0", "10MB") +                        // 6 bad limit
      row(std::string(300, 'u'), pw, "name", "abc.jp", "", "0", "0", "0") +            // 7 too long
      row("user8", pw, "abc\x82", "abc.jp", "", "0", "0", "0") +                        // 8 bad CP932
      row("us/er9", pw, "name", "abc.jp", "", "0", "0", "0") +                          // 9 not a folder name
      "\r\n" +                                                                           // 10 blank
      row("suzuki", pw, suzuki_cp932, "def.jp", "", "1", "1", "500") +                  // 11 good
      row("user12", pw, "name", "abc.jp", "C:\\home\x01", "0", "0", "0") +              // 12 control char
      row("user13", pw, "name", "abc jp", "", "0", "0", "0") +                          // 13 bad domain
      "user14," + pw + ",name,abc.jp,,0,0,0\r\n" +                                      // 14 commas
      row("user15", pw, "name", "abc.jp", "", "0", "2", "0") +                          // 15 bad APOP flag
      row("user16", pw, "name", "abc.jp", "", "0", "0", "99999999999999999999") +      // 16 limit too big
      row("user17", pw, "name", "abc.jp", "", "0", "0", "0", "\tx\r\n");               // 17 nine fields
  auto file = read_ok(content);
  EXPECT_EQ(file.encoding.encoding, ExportEncoding::cp932);
  EXPECT_EQ(file.lines, 17u);
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[0].line, 1u);
  EXPECT_EQ(file.rows[0].account.full_name, "山田太郎");
  EXPECT_EQ(file.rows[1].line, 11u);
  EXPECT_EQ(file.rows[1].account.full_name, "鈴木花子");
  EXPECT_EQ(file.rows[1].account.mailbox_limit, 500u);

  using K = RowProblem::Kind;
  const std::vector<std::pair<std::size_t, K>> expected = {
      {2, K::field_count},      {3, K::nul_byte},        {4, K::empty_account}, {5, K::invalid_flag},
      {6, K::invalid_limit},    {7, K::field_too_long},  {8, K::encoding},      {9, K::invalid_account},
      {12, K::control_character}, {13, K::invalid_domain}, {14, K::field_count}, {15, K::invalid_flag},
      {16, K::invalid_limit},   {17, K::field_count}};
  ASSERT_EQ(file.problems.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(file.problems[i].line, expected[i].first) << i;
    EXPECT_EQ(file.problems[i].kind, expected[i].second) << "line " << expected[i].first << ": "
                                                          << file.problems[i].reason;
    EXPECT_EQ(file.problems[i].reason.find(pw), std::string::npos) << file.problems[i].reason;
  }
  EXPECT_EQ(file.unlisted_problems, 0u);

  // What the admin reads.
  auto text = [&](std::size_t i) { return format_row_problem(file.problems[i]); };
  EXPECT_EQ(text(0),
            "line 2: 7 fields; an account line has 8: account, password, full name, domain, home folder, "
            "SMTP-AUTH flag, APOP flag, mailbox size limit");
  EXPECT_EQ(text(1), "line 3: a NUL byte in field 3 (full name)");
  EXPECT_EQ(text(2), "line 4: the account name is empty");
  EXPECT_EQ(text(3), "line 5: field 6 (SMTP-AUTH flag) is \"yes\"; it must be 0 or 1");
  EXPECT_EQ(text(4),
            "line 6: field 8 (mailbox size limit) is \"10MB\"; it must be a number of bytes up to "
            "9223372036854775807 (0: no limit)");
  EXPECT_EQ(text(5), "line 7: field 1 (account) is 300 bytes long; the limit is 256");
  EXPECT_EQ(text(6), "line 8: field 3 (full name) is not valid Shift_JIS (CP932)");
  EXPECT_EQ(text(7), "line 9: account \"us/er9\" has '/', which a Windows folder name cannot have");
  EXPECT_EQ(text(8), "line 12: field 5 (home folder) has a control character");
  EXPECT_EQ(text(9), "line 13: domain \"abc jp\" has ' '");
  EXPECT_NE(text(10).find("no TAB: the export is TAB-separated, not comma-separated"), std::string::npos);
  EXPECT_EQ(text(11), "line 15: field 7 (APOP flag) is \"2\"; it must be 0 or 1");
  EXPECT_EQ(text(13).substr(0, 17), "line 17: 9 fields");
}

TEST(SoftAccountReader, ForcedUtf8ReportsCp932LinesAsBadEncoding) {
  std::string content = row("yamada", "", yamada_cp932, "", "", "0", "0", "0") + row("plain", "", "Plain", "", "", "0", "0", "0");
  auto file = read_ok(content, ReadOptions{ExportEncoding::utf8});
  EXPECT_EQ(file.encoding.encoding, ExportEncoding::utf8);
  ASSERT_EQ(file.problems.size(), 1u);
  EXPECT_EQ(format_row_problem(file.problems[0]), "line 1: field 3 (full name) is not valid UTF-8");
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(file.rows[0].account.account, "plain");
}

TEST(SoftAccountReader, OneDamagedLineInAUtf8File) {
  std::string content = row("a", "", "山田太郎", "", "", "0", "0", "0") + row("b", "", "鈴木花子", "", "", "0", "0", "0") +
                        row("c", "", yamada_cp932, "", "", "0", "0", "0");
  auto file = read_ok(content);
  EXPECT_EQ(file.encoding.encoding, ExportEncoding::utf8);
  ASSERT_EQ(file.problems.size(), 1u);
  EXPECT_EQ(file.problems[0].line, 3u);
  EXPECT_EQ(file.problems[0].kind, RowProblem::Kind::encoding);
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(file.rows[1].account.full_name, "鈴木花子");
}

TEST(SoftAccountReader, SameNameInTwoDomainsIsAConflict) {
  std::string content = row("user1", "", "", "abc.jp", "", "0", "0", "0") +  // 1
                        row("user2", "", "", "abc.jp", "", "0", "0", "0") +  // 2
                        row("USER1", "", "", "def.jp", "", "0", "0", "0") +  // 3: the same AD user
                        row("user3", "", "", "ABC.jp", "", "0", "0", "0") +  // 4
                        row("user3", "", "", "abc.jp", "", "0", "0", "0") +  // 5: twice in one domain
                        row("user4", "", "", "", "", "0", "0", "0") +        // 6
                        row("user4", "", "", "ghi.jp", "", "0", "0", "0");   // 7: blank and ghi.jp
  auto file = read_ok(content);
  EXPECT_TRUE(file.problems.empty());
  ASSERT_EQ(file.rows.size(), 7u);
  ASSERT_EQ(file.conflicts.size(), 3u);

  const auto& c1 = file.conflicts[0];
  EXPECT_EQ(c1.account, "user1");
  EXPECT_EQ(c1.lines, (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(c1.domains, (std::vector<std::string>{"abc.jp", "def.jp"}));
  EXPECT_TRUE(c1.across_domains);
  EXPECT_EQ(format_conflict(c1), "user1 is on lines 1 (abc.jp), 3 (def.jp): AD has one account for all mail domains");

  EXPECT_EQ(file.conflicts[1].lines, (std::vector<std::size_t>{4, 5}));
  EXPECT_FALSE(file.conflicts[1].across_domains);
  EXPECT_EQ(format_conflict(file.conflicts[1]),
            "user3 is on lines 4 (ABC.jp), 5 (abc.jp): the same account twice in one domain");
  EXPECT_TRUE(file.conflicts[2].across_domains);
  EXPECT_EQ(format_conflict(file.conflicts[2]),
            "user4 is on lines 6 (no domain), 7 (ghi.jp): AD has one account for all mail domains");

  std::vector<bool> marked;
  for (const auto& r : file.rows) marked.push_back(r.conflict);
  EXPECT_EQ(marked, (std::vector<bool>{true, false, true, true, true, true, true}));
}

TEST(SoftAccountReader, FileLevelErrors) {
  auto too_big = read_soft_accounts(std::string(max_export_file_bytes + 1, 'a'));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::limit_exceeded);

  auto utf16 = read_soft_accounts(std::string_view("\xFE\xFF\0u", 4));
  ASSERT_FALSE(utf16.ok());
  EXPECT_EQ(utf16.error().code, ErrorCode::invalid_argument);

  auto missing = read_soft_account_file("/nonexistent/accounts.tsv");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/accounts.tsv"), std::string::npos);
}

TEST(SoftAccountReader, ManyBadLinesAreCountedPastTheListLimit) {
  std::string content;
  for (std::size_t i = 0; i < max_listed_problems + 5; ++i) content += "junk\n";
  content += row("ok", "", "", "", "", "0", "0", "0");
  auto file = read_ok(content);
  EXPECT_EQ(file.problems.size(), max_listed_problems);
  EXPECT_EQ(file.unlisted_problems, 5u);
  ASSERT_EQ(file.rows.size(), 1u);
  EXPECT_EQ(file.rows[0].line, max_listed_problems + 6);
}

TEST(SoftAccountReader, ReadsAFile) {
  auto path = std::filesystem::temp_directory_path() / ("soft-accounts-" + std::to_string(::getpid()) + ".tsv");
  {
    std::ofstream out(path, std::ios::binary);
    out << row("yamada", "pw", yamada_cp932, "abc.jp", "", "0", "0", "0");
  }
  auto file = read_soft_account_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_EQ(file->rows.size(), 1u);
  EXPECT_EQ(file->rows[0].account.full_name, "山田太郎");
}

}  // namespace
}  // namespace dirmail::migration
