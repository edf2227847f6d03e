// Prints what read_soft_account_file() finds in an export, one item a line (UTF-8), in
// the form of the fixture generator's expected-reader.tsv
// (tests/integration/fixtures/soft_accounts.py), for soft_accounts_fixture_check.py:
//   lines N | account LINE <eight fields> | problem LINE KIND | conflict ACCOUNT L1,L2..
// Exit status 2 when the file cannot be read at all.
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dirmail/migration/soft_account_reader.hpp"

int main(int argc, char** argv) {
  using namespace dirmail::migration;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s EXPORT_FILE\n", argv[0]);
    return 2;
  }
  auto file = read_soft_account_file(argv[1]);
  if (!file) {
    std::fprintf(stderr, "%s\n", file.error().message.c_str());
    return 2;
  }
  std::string out = fmt::format("lines\t{}\n", file->lines);
  for (const auto& row : file->rows) {
    const auto& a = row.account;
    out += fmt::format("account\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", row.line, a.account, a.password, a.full_name,
                       a.domain, a.home_folder, a.smtp_auth ? 1 : 0, a.apop ? 1 : 0, a.mailbox_limit);
  }
  for (const auto& p : file->problems) out += fmt::format("problem\t{}\t{}\n", p.line, to_string(p.kind));
  for (const auto& c : file->conflicts) out += fmt::format("conflict\t{}\t{}\n", c.account, fmt::join(c.lines, ","));
  std::fputs(out.c_str(), stdout);
  std::fprintf(stderr, "encoding: %s (%s)\n", std::string(to_string(file->encoding.encoding)).c_str(),
               file->encoding.reason.c_str());
  return 0;
}
