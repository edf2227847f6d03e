#pragma once
// One run of `dirmail-import`: the rows of an account export (soft_account_reader.hpp)
// into a target (account_target.hpp), each account's mailbox into the store
// (mailbox_copy.hpp), SMTP-AUTH/APOP passwords into the secrets file. Every row ends
// in one outcome with its reason; nothing already in the target is changed, so a
// second run with the same file changes nothing (idempotent) and a run cut short is
// finished by the next.
//
// Per row, in file order:
//   a conflict (the same name on several rows: AD has one namespace for all mail
//   domains; the same name twice in one domain anywhere)      -> conflict, untouched
//   the target has no such account     -> created (its mail domain created first when
//                                          allowed), or failed with the target's reason
//   the target has it as the row says  -> unchanged (mail still copied: what is missing)
//   the importer made it, groups lack  -> completed
//   the target has it otherwise        -> conflict, never overwritten
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/auth/secret_sealing.hpp"
#include "dirmail/auth/secrets_file_edit.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/migration/account_target.hpp"
#include "dirmail/migration/mailbox_copy.hpp"
#include "dirmail/migration/original_mailbox.hpp"
#include "dirmail/migration/soft_account_reader.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::migration {

enum class ImportOutcome { created, completed, unchanged, conflict, failed, skipped };
std::string_view to_string(ImportOutcome outcome);

struct AccountImport {
  std::size_t line = 0;
  std::string account;
  std::string domain;
  ImportOutcome outcome = ImportOutcome::failed;
  std::string reason;                    // why (conflict, failed, skipped); what (created)
  std::vector<std::string> notes;        // what was not carried over, and why
  std::optional<MailboxCopyResult> mail; // when its mailbox was copied (or counted)
  std::string mailbox;                   // the target mailbox root
  bool secret_written = false;           // its SMTP-AUTH/APOP password went to the secrets file
  std::size_t mail_problems = 0;         // files of its mailbox left behind (see notes)
  std::optional<std::string> generated_password;  // for the administrator's list; never logged
};

struct ImportProgress {
  std::size_t done = 0;   // rows handled
  std::size_t total = 0;
  std::size_t messages = 0;
  std::uint64_t bytes = 0;
  std::string current;    // the account in hand
};

struct ImportOptions {
  std::string source_name;          // the export file, for the report and the importer's mark
  bool dry_run = false;
  bool create_domains = false;      // make a mail domain (AD: its group) that is missing
  bool ignore_passwords = false;    // the file's passwords are the original's "Encoded" form
  bool mailbox_limits_kept = true;  // the target keeps limits (AD: an attribute is configured)
  // directory.mail_domains, canonical: a row's domain must be one of them (empty: any
  // the target has or makes). So that a domain field never names some other group.
  std::vector<std::string> mail_domains;

  // Mail: where the original's mailboxes are (nullopt: accounts only), and how a
  // Windows home folder maps to a local path (the home layout).
  std::optional<OriginalMailboxPlace> mail_source;
  std::function<std::optional<std::string>(const std::string& windows_home)> map_home;
  // The account's mailbox root in the store (store.mailbox_path expanded).
  std::function<Result<std::string>(const TargetAccount& account, const SoftAccount& row)> mailbox_root;
  store::MailStore* store = nullptr;
  MigrationJournal* journal = nullptr;
  std::string spool_dir;            // where messages with bare line ends are rewritten; empty: the copy's default

  // SMTP-AUTH/APOP passwords (nullptr: auth.secrets_file is not set).
  auth::SecretsFileEdit* secrets = nullptr;
  const auth::SealingKey* sealing_key = nullptr;

  std::function<std::string()> generate_password;
  // Keeps a generated password where the administrator finds it (--passwords-out),
  // durably, before the account is made with it; an error keeps the account from being
  // made. Not called in a dry run.
  std::function<Status(const SoftAccount& row, const std::string& password)> keep_generated_password;
  std::function<void(const ImportProgress&)> progress;
};

struct ImportSummary {
  bool dry_run = false;
  std::string target;                    // AccountTarget::description()
  std::string source;                    // the export file
  EncodingDecision encoding;
  std::vector<AccountImport> accounts;   // one per readable row, in file order
  std::vector<RowProblem> problems;      // rows the reader skipped
  std::size_t unlisted_problems = 0;
  std::vector<std::string> domains_created;
  std::vector<std::string> notes;        // run-wide ("auth.secrets_file is not set: ...")

  std::size_t count(ImportOutcome outcome) const;
  std::size_t messages_copied() const;
  std::size_t messages_already_there() const;
  std::size_t mail_problems() const;
  // 0 when every row was created, completed or unchanged with all its mail; 1 otherwise.
  int exit_code() const;
};

ImportSummary import_soft_accounts(const SoftAccountFile& file, AccountTarget& target, const ImportOptions& options);

}  // namespace dirmail::migration
