// write_soft_accounts: the original's export format, in CP932 or UTF-8, read back by
// read_soft_accounts as the same records.
#include "dirmail/migration/soft_account_writer.hpp"

#include <gtest/gtest.h>

#include "dirmail/migration/soft_account_reader.hpp"

namespace dirmail::migration {
namespace {

std::vector<SoftAccount> sample() {
  return {
      {"yamada", "Pass-1234", "山田太郎", "abc.jp", "C:\\home\\yamada", true, false, 1048576},
      {"suzuki", "", "鈴木花子", "def.jp", "\\\\fs1\\home\\suzuki", false, true, 0},
      {"hyouji", "p@ss word", "表示 ﾃｽﾄ", "", "", true, true, max_mailbox_limit},  // 表 ends in 0x5C
      {"user7", "x", "", "", "", false, false, 1},
  };
}

std::vector<SoftAccount> accounts_of(const SoftAccountFile& file) {
  std::vector<SoftAccount> out;
  for (const auto& r : file.rows) out.push_back(r.account);
  return out;
}

TEST(SoftAccountWriter, WritesTheOriginalsLine) {
  std::vector<SoftAccount> one = {{"user1", "pw", "Alice", "abc.jp", "C:\\home\\user1", true, false, 1024}};
  auto out = write_soft_accounts(one);
  EXPECT_EQ(out.content, "user1\tpw\tAlice\tabc.jp\tC:\\home\\user1\t1\t0\t1024\r\n");
  EXPECT_EQ(out.written, 1u);
  EXPECT_TRUE(out.problems.empty());

  auto lf = write_soft_accounts(one, WriteOptions{ExportEncoding::utf8, true, false});
  EXPECT_EQ(lf.content, "\xEF\xBB\xBFuser1\tpw\tAlice\tabc.jp\tC:\\home\\user1\t1\t0\t1024\n");
}

TEST(SoftAccountWriter, Cp932RoundTrip) {
  auto accounts = sample();
  auto out = write_soft_accounts(accounts);  // CP932, CR LF: what the original reads
  ASSERT_TRUE(out.problems.empty()) << out.problems[0].reason;
  EXPECT_EQ(out.written, accounts.size());
  // 山田太郎 in CP932, and CR LF line ends.
  EXPECT_NE(out.content.find("yamada\tPass-1234\t\x8e\x52\x93\x63\x91\xbe\x98\x59\tabc.jp\t"), std::string::npos);
  EXPECT_NE(out.content.find("\t1\t0\t1048576\r\n"), std::string::npos);

  auto file = read_soft_accounts(out.content);  // detected, not told
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->encoding.encoding, ExportEncoding::cp932);
  EXPECT_TRUE(file->problems.empty());
  EXPECT_EQ(accounts_of(*file), accounts);
}

TEST(SoftAccountWriter, Utf8RoundTripWithBom) {
  auto accounts = sample();
  accounts.push_back({"yoshino", "", "\xF0\xA0\xAE\xB7野 〜 ¥", "abc.jp", "", false, false, 0});  // not in CP932
  auto out = write_soft_accounts(accounts, WriteOptions{ExportEncoding::utf8, true, true});
  ASSERT_TRUE(out.problems.empty());
  EXPECT_TRUE(out.content.starts_with("\xEF\xBB\xBF"));
  auto file = read_soft_accounts(out.content);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->encoding.encoding, ExportEncoding::utf8);
  EXPECT_TRUE(file->encoding.bom);
  EXPECT_TRUE(file->problems.empty());
  EXPECT_EQ(accounts_of(*file), accounts);
}

TEST(SoftAccountWriter, LeavesOutWhatTheFormatCannotCarry) {
  const std::string pw = "Secret-pw-77";
  std::vector<SoftAccount> accounts = {
      {"ok1", pw, "Alice", "abc.jp", "", false, false, 0},
      {"yoshino", pw, "\xF0\xA0\xAE\xB7野", "abc.jp", "", false, false, 0},  // 𠮷: no CP932 form
      {"tab", pw, "a\tb", "abc.jp", "", false, false, 0},                   // would split the line
      {"", pw, "Nobody", "abc.jp", "", false, false, 0},
      {"crlf", "pw\r\n", "x", "", "", false, false, 0},
      {"big", pw, "", "", "", false, false, max_mailbox_limit + 1},
      {"ok2", pw, "鈴木花子", "", "", false, false, 0},
  };
  auto out = write_soft_accounts(accounts);
  EXPECT_EQ(out.written, 2u);
  ASSERT_EQ(out.problems.size(), 5u);
  EXPECT_EQ(out.problems[0].index, 1u);
  EXPECT_EQ(out.problems[0].account, "yoshino");
  EXPECT_EQ(out.problems[0].reason, "field 3 (full name) has a character Shift_JIS (CP932) cannot hold exactly");
  EXPECT_EQ(out.problems[1].reason, "field 3 (full name) has a control character");
  EXPECT_EQ(out.problems[1].index, 2u);
  EXPECT_EQ(out.problems[2].reason, "the account name is empty");
  EXPECT_EQ(out.problems[3].reason, "field 2 (password) has a control character");
  EXPECT_EQ(out.problems[4].index, 5u);
  for (const auto& p : out.problems) EXPECT_EQ(p.reason.find(pw), std::string::npos);

  auto file = read_soft_accounts(out.content);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->problems.empty());
  ASSERT_EQ(file->rows.size(), 2u);
  EXPECT_EQ(file->rows[0].account, accounts[0]);
  EXPECT_EQ(file->rows[1].account, accounts[6]);
}

}  // namespace
}  // namespace dirmail::migration
