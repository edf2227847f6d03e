#pragma once
// Copies one original mailbox (original_mailbox.hpp) into dirmail's store, keeping each
// message's POP3 UIDL, flags and date, so that POP3 clients that leave mail on the
// server do not fetch everything again.
//
// Idempotent: a message whose UIDL the target folder already holds is not copied again,
// and each copy is a named delivery (MailStore's delivery_id, from the folder and the
// UIDL), so a run cut short between the store and its bookkeeping leaves one copy.
// A message the user deleted after an earlier run is not brought back: the journal
// (MigrationJournal) remembers every UIDL copied into each mailbox, and every UIDL
// found already in the folder (so copies of a run killed before its journal are
// journaled by the next run). It is written every journal_batch_messages messages, at
// the end of each folder and before an error is returned: a kill loses at most one
// batch, which the UIDLs in the folder and the delivery ids still guard next time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/migration/migration_journal.hpp"
#include "dirmail/migration/original_mailbox.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::migration {

struct MailboxCopyOptions {
  // Count what would be copied; write nothing, the journal included (which may then be
  // MigrationJournal::open_read_only).
  bool dry_run = false;
  // Where a message with bare LF (or CR) line ends is rewritten with CR LF before it is
  // stored, as SMTP stores every message (sizes POP3 reports count CR LF); an unnamed
  // file, gone when closed. Empty: $TMPDIR, else /tmp.
  std::string spool_dir;
};

// Messages journaled at once; a folder of the original can hold hours of copying.
inline constexpr std::size_t journal_batch_messages = 64;
// The original's per-user files are small text files; a larger one is a problem.
inline constexpr std::size_t max_user_file_bytes = 1 << 20;
// Problems listed per mailbox; the rest are counted in one last line.
inline constexpr std::size_t max_listed_copy_problems = 1000;

struct MailboxCopyResult {
  std::size_t copied = 0;          // messages stored now (dry run: that would be)
  std::size_t already_there = 0;   // the folder had the UIDL, or the journal says copied before
  std::uint64_t bytes = 0;         // bytes copied now
  std::size_t user_files = 0;      // per-user files written (not replaced when the target has one)
  std::vector<std::string> problems;  // messages or files not copied, each with why
};

// Copies every folder of `mailbox` into `mailbox_root` of `store` (folders created as
// needed) with MailStore::append: the UIDL and the delivery id in the source, the flags
// of the message's Status: / X-Status: fields (flags_from_status_fields), the file's
// modification time as the internal date. The message bytes are stored as they are
// (CR LF made of bare line ends). An error only when the store cannot be written at
// all (the account is then reported failed and a re-run continues where it stopped);
// one unreadable message, or a folder name the store refuses, is a problem in the
// result.
Result<MailboxCopyResult> copy_mailbox(const OriginalMailbox& mailbox, store::MailStore& store,
                                       const std::string& mailbox_root, MigrationJournal& journal,
                                       const MailboxCopyOptions& options = {});

}  // namespace dirmail::migration
