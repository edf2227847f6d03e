// Fuzzes read_soft_accounts (the original's account export, soft_account_reader.hpp)
// and write_soft_accounts.
//
// Properties: the only errors are invalid_argument (a UTF-16 file); problem and row
// line numbers are within the file, in order, and never the same line; every row is a
// record the checks accept, in UTF-8 without control characters; every reason is one
// line of UTF-8; conflicts name only rows (at least two, one name) and exactly those
// rows are marked. The rows written in UTF-8, and in CP932 when the file was read as
// CP932, read back as the same records with no problem.
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/migration/soft_account_reader.hpp"
#include "dirmail/migration/soft_account_writer.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::migration;

bool one_line_of_text(std::string_view s) {
  if (!valid_utf8(s)) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

std::vector<SoftAccount> accounts_of(const SoftAccountFile& file) {
  std::vector<SoftAccount> out;
  for (const auto& r : file.rows) out.push_back(r.account);
  return out;
}

void check_round_trip(const std::vector<SoftAccount>& accounts, ExportEncoding encoding, std::uint8_t control) {
  WriteOptions options{encoding, (control & 4) != 0, (control & 8) != 0};
  auto out = write_soft_accounts(accounts, options);
  FUZZ_CHECK(out.problems.empty());
  FUZZ_CHECK(out.written == accounts.size());
  auto again = read_soft_accounts(out.content, ReadOptions{encoding});
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->problems.empty());
  FUZZ_CHECK(accounts_of(*again) == accounts);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  // Byte 0: bits 0-1 the encoding (1 UTF-8, 2 CP932, else detect); bit 2 the writer's
  // BOM, bit 3 its CR LF.
  const std::uint8_t control = fuzz::take_byte(input);
  ReadOptions options;
  if ((control & 3) == 1) options.encoding = ExportEncoding::utf8;
  if ((control & 3) == 2) options.encoding = ExportEncoding::cp932;

  auto file = read_soft_accounts(input, options);
  if (!file) {
    FUZZ_CHECK(file.error().code == ErrorCode::invalid_argument);
    FUZZ_CHECK(!options.encoding);
    return 0;
  }
  if (options.encoding) FUZZ_CHECK(file->encoding.encoding == *options.encoding);
  FUZZ_CHECK(one_line_of_text(file->encoding.reason));

  std::size_t last = 0;
  for (const auto& p : file->problems) {
    FUZZ_CHECK(p.line > last && p.line <= file->lines);
    FUZZ_CHECK(one_line_of_text(p.reason) && !p.reason.empty());
    FUZZ_CHECK(one_line_of_text(format_row_problem(p)));
    last = p.line;
  }
  FUZZ_CHECK(file->unlisted_problems == 0 || file->problems.size() == max_listed_problems);
  last = 0;
  std::size_t p = 0;
  for (const auto& row : file->rows) {
    FUZZ_CHECK(row.line > last && row.line <= file->lines);
    while (p < file->problems.size() && file->problems[p].line < row.line) ++p;
    FUZZ_CHECK(p == file->problems.size() || file->problems[p].line != row.line);
    last = row.line;
    const SoftAccount& a = row.account;
    FUZZ_CHECK(!check_soft_account(a));
    FUZZ_CHECK(!a.account.empty());
    for (const std::string* s : {&a.account, &a.password, &a.full_name, &a.domain, &a.home_folder}) {
      FUZZ_CHECK(one_line_of_text(*s));
    }
    FUZZ_CHECK(a.mailbox_limit <= max_mailbox_limit);
  }
  FUZZ_CHECK(file->rows.size() + file->problems.size() + file->unlisted_problems <= file->lines);

  std::size_t marked = 0;
  for (const auto& row : file->rows) marked += row.conflict ? 1 : 0;
  std::size_t in_conflicts = 0;
  for (const auto& c : file->conflicts) {
    FUZZ_CHECK(c.lines.size() >= 2 && c.lines.size() == c.domains.size());
    FUZZ_CHECK(one_line_of_text(format_conflict(c)));
    in_conflicts += c.lines.size();
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
      const SoftAccountRow* found = nullptr;
      for (const auto& row : file->rows)
        if (row.line == c.lines[i]) found = &row;
      FUZZ_CHECK(found != nullptr && found->conflict);
      FUZZ_CHECK(account_key(found->account.account) == account_key(c.account));
      FUZZ_CHECK(found->account.domain == c.domains[i]);
    }
  }
  FUZZ_CHECK(marked == in_conflicts);

  auto accounts = accounts_of(*file);
  check_round_trip(accounts, ExportEncoding::utf8, control);
  if (file->encoding.encoding == ExportEncoding::cp932) check_round_trip(accounts, ExportEncoding::cp932, control);
  return 0;
}
