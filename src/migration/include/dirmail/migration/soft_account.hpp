#pragma once
// One account of the original's own account store ("soft account"), as its Account
// Manager exports and imports it: one TAB-separated line of eight fields (seed 001
// §5.3.5; spec/active-directory-guide.md §16 and §22.7):
//
//   account  password  full name  domain  home folder  SMTP-AUTH flag  APOP flag  limit
//
// Text is UTF-8 here, whatever the file's encoding was (export_encoding.hpp). The
// record keeps what the file says; whether a target (AD, the local directory) accepts
// it is the target's question (AD: sAMAccountName <= 20 characters, its own forbidden
// set, the domain's password policy).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::migration {

struct SoftAccount {
  // The login name and, in the original, the mailbox folder name (`inbox\<account>`).
  std::string account;
  // As exported: the original's Account Manager may export it plain or in its own
  // undocumented "Encoded" form (the 「エクスポート時のパスワード形式」 dropdown); the
  // file does not say which. Empty: no password (an export from AD mode cannot read
  // AD passwords). Never put it in a message or a log.
  std::string password;
  std::string full_name;  // AD displayName; may be empty
  // The mail domain; empty when the user belongs to none (in AD mode: to no domain
  // group; the original exports that as a blank field, spec §16 and test T14).
  std::string domain;
  // A Windows path (`C:\home\user1`, `\\fs1\home\user1`), as written; may be empty.
  std::string home_folder;
  // The user has the separate SMTP-AUTH / APOP password of the original's
  // authentication file (dirmail: auth.secrets_file). Written 0 or 1.
  bool smtp_auth = false;
  bool apop = false;
  // Bytes, as the original counts the per-account mailbox size limit (seed 001 §5.2:
  // "in bytes, 0 = no limit"). 0: no limit of its own, which is also what dirmail's
  // directories mean by 0 (the server-wide store.mailbox_limit applies).
  std::uint64_t mailbox_limit = 0;

  friend bool operator==(const SoftAccount&, const SoftAccount&) = default;
};

// The fields in file order, for messages ("field 3 (full name)").
inline constexpr std::size_t soft_account_field_count = 8;
inline constexpr std::array<std::string_view, soft_account_field_count> soft_account_field_names = {
    "account", "password", "full name", "domain", "home folder", "SMTP-AUTH flag", "APOP flag",
    "mailbox size limit"};
// "field 3 (full name)" for 0-based field 2.
std::string field_label(std::size_t field);

// Size limits per field, in bytes of UTF-8. Far above anything the original's dialogs
// took (AD allows displayName 256 characters, Windows paths 260), so that a real
// export never meets them, while a damaged file cannot make a field unbounded.
inline constexpr std::size_t max_account_bytes = 256;
inline constexpr std::size_t max_password_bytes = 512;
inline constexpr std::size_t max_full_name_bytes = 1024;
inline constexpr std::size_t max_domain_bytes = 253;  // a DNS name
inline constexpr std::size_t max_home_folder_bytes = 1024;
inline constexpr std::size_t max_limit_digits = 20;
// The largest limit read or written: it fits the signed 64-bit integers of AD
// attributes and SQLite.
inline constexpr std::uint64_t max_mailbox_limit = 0x7fffffffffffffffULL;

// What is wrong with a record (given as UTF-8 text), for a reader's or a writer's
// report: the field, and why. Passwords are never quoted.
struct FieldProblem {
  enum class Kind {
    empty_account,
    invalid_account,    // a character or a form a Windows folder name cannot have
    invalid_domain,
    field_too_long,
    control_character,  // in any field: the file format and logs cannot carry it
    invalid_utf8,       // a record given to the writer with bytes that are no UTF-8
    invalid_flag,
    invalid_limit,
  };
  Kind kind;
  std::size_t field;  // 0-based, in file order
  std::string reason;
};

// The first problem of the record's text fields (the account, the password, the full
// name, the domain, the home folder) or of its limit (at most max_mailbox_limit), or
// nullopt. The reader checks the flags' and the limit's text (parse_flag,
// parse_mailbox_limit).
std::optional<FieldProblem> check_soft_account(const SoftAccount& account);

// The record from its eight fields' UTF-8 text (file order) into `out`, or the first
// problem (then `out` is partly filled and not to be used).
std::optional<FieldProblem> soft_account_from_fields(
    const std::array<std::string, soft_account_field_count>& fields, SoftAccount& out);

// "0" or "1" (a Windows checkbox); nullopt for anything else. A blank field is false:
// hand-edited files leave unchecked flags empty.
std::optional<bool> parse_flag(std::string_view text);
// Decimal bytes up to max_mailbox_limit; a blank field is 0 (no limit).
std::optional<std::uint64_t> parse_mailbox_limit(std::string_view text);

// The account name as the original's folders and AD compare it: ASCII letters folded
// to lower case (Windows folder names and sAMAccountName ignore case), other bytes as
// they are. Two rows with the same key are the same user.
std::string account_key(std::string_view account);
// The domain compared the same way (DNS names ignore case).
std::string domain_key(std::string_view domain);

std::string_view to_string(FieldProblem::Kind kind);

}  // namespace dirmail::migration
