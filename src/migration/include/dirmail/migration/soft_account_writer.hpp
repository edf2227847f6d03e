#pragma once
// Writes accounts in the original's export format (soft_account.hpp), for
// `dirmail-import export`: audits, and a way back to the original. What it writes,
// read_soft_accounts() reads back as the same records (given the same encoding).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "dirmail/migration/export_encoding.hpp"
#include "dirmail/migration/soft_account.hpp"

namespace dirmail::migration {

struct WriteOptions {
  // Shift_JIS (CP932) by default: what the original's Account Manager imports.
  ExportEncoding encoding = ExportEncoding::cp932;
  bool bom = false;   // a UTF-8 byte order mark first (UTF-8 only; Excel wants one)
  bool crlf = true;   // Windows line ends; LF when false
};

// A record left out, and why (the account named, the password never).
struct WriteProblem {
  std::size_t index = 0;  // in the given span
  std::string account;
  std::string reason;
};

struct SoftAccountExport {
  std::string content;
  std::size_t written = 0;
  std::vector<WriteProblem> problems;
};

// One line per account, in the given order. A record the format cannot carry
// (check_soft_account() finds a problem, or a character has no exact CP932 form) is
// left out and reported; the others are written.
SoftAccountExport write_soft_accounts(std::span<const SoftAccount> accounts, const WriteOptions& options = {});

}  // namespace dirmail::migration
