#pragma once
// Reads the original's account export (soft_account.hpp: one account per line, eight
// TAB-separated fields) into records, for `dirmail-import`. A bad row is reported with
// its line number and why, and skipped; it never stops the run. Only what makes the
// whole file unreadable (too large, UTF-16, unreadable) is an error.
//
// Lines end in CR LF (the original, Windows) or LF; the last may have no end; empty
// lines are skipped. Fields are taken as written: no quoting, no trimming. A line may
// have empty extra fields after the eighth (trailing TABs of a spreadsheet save).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/migration/export_encoding.hpp"
#include "dirmail/migration/soft_account.hpp"

namespace dirmail::migration {

inline constexpr std::size_t max_export_file_bytes = 64 * 1024 * 1024;
// More accounts than any site of the original had; bounds the memory a file can take.
inline constexpr std::size_t max_export_accounts = 500'000;
// Problems listed one by one; past this only counted (a binary file has one per line).
inline constexpr std::size_t max_listed_problems = 10'000;

struct RowProblem {
  enum class Kind {
    field_count,
    encoding,  // a field's bytes are not valid in the file's encoding
    nul_byte,
    empty_account,
    invalid_account,
    invalid_domain,
    field_too_long,
    control_character,
    invalid_flag,
    invalid_limit,
  };
  std::size_t line = 0;  // 1-based
  Kind kind = Kind::field_count;
  std::string reason;  // without the line number; never quotes a password
};

std::string_view to_string(RowProblem::Kind kind);
// "line 7: field 6 (SMTP-AUTH flag) is "yes"; it must be 0 or 1"
std::string format_row_problem(const RowProblem& problem);

struct SoftAccountRow {
  std::size_t line = 0;
  SoftAccount account;
  bool conflict = false;  // its name is on other rows too: see SoftAccountFile::conflicts
};

// Rows that name the same account (account_key). After the migration AD holds all
// mail domains' users in one namespace (virtual domains: `suzuki@a` is `suzuki@b`,
// spec §9 and §13), while the original's soft accounts allowed one name in several
// domains; so such rows would become one AD user, and none of them is taken without
// the admin's decision. A name repeated within one domain (the original could not
// hold that: the file was edited or joined) is a conflict too.
struct AccountConflict {
  std::string account;              // as the first of the rows writes it
  std::vector<std::size_t> lines;   // every row with the name, in file order
  std::vector<std::string> domains; // each row's domain (may be empty), same order
  bool across_domains = false;      // the rows name more than one domain
};

// "user1 is on lines 3 (abc.jp) and 9 (def.jp): AD has one account for all mail domains"
std::string format_conflict(const AccountConflict& conflict);

struct SoftAccountFile {
  EncodingDecision encoding;
  std::size_t lines = 0;               // lines in the file, empty ones included
  std::vector<SoftAccountRow> rows;    // the readable rows in file order, conflicting ones marked
  std::vector<RowProblem> problems;    // skipped rows, in line order (the first max_listed_problems)
  std::size_t unlisted_problems = 0;   // skipped rows past that
  std::vector<AccountConflict> conflicts;  // in the order of their first line
};

struct ReadOptions {
  std::optional<ExportEncoding> encoding;  // nullopt: decide_export_encoding() detects it
};

// The whole file's bytes. Errors: limit_exceeded (larger than max_export_file_bytes,
// or more than max_export_accounts rows), invalid_argument (UTF-16).
Result<SoftAccountFile> read_soft_accounts(std::string_view content, const ReadOptions& options = {});
// The same from a file; io_error naming the path when it cannot be read, and the
// errors above with the path before them.
Result<SoftAccountFile> read_soft_account_file(const std::string& path, const ReadOptions& options = {});

}  // namespace dirmail::migration
