#pragma once
// What dirmail-import copied before, per target mailbox (mailbox_copy.hpp): so that a
// message the user deleted after an earlier run is not brought back by the next one.
//
// One text file per mailbox root under a state folder, named by a hash of the root,
// one line per copied message:
//
//   # dirmail-import journal: <mailbox root>      (comments: for administrators)
//   <folder> TAB <UIDL> LF
//
// Appended and synced in batches while a folder is copied (mailbox_copy.hpp), so a run
// killed part way loses at most its last batch. Only whole lines count: a line cut short by a
// crash (no LF) or damaged is ignored, and the next append first ends it with
// " (cut short)", which no entry can have. Not shared between machines.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::migration {

// A journal larger than this is refused (limit_exceeded): 1M messages in each of many
// folders is far beyond any real mailbox of the original.
inline constexpr std::uint64_t max_journal_bytes = 512ULL << 20;
// A folder name (store kMaxFolderNameBytes), a TAB and a UIDL (RFC 1939: 70).
inline constexpr std::size_t max_journal_line_bytes = 255 + 1 + 70;

struct JournalEntry {
  std::string_view folder;
  std::string_view uidl;
};

// One line without its LF: nullopt for a comment, an empty line, a line over
// max_journal_line_bytes, a folder that is not valid UTF-8 without control characters,
// or a UIDL that is not 1-70 printable ASCII characters. The views point into `line`.
std::optional<JournalEntry> parse_journal_line(std::string_view line);

class MigrationJournal {
 public:
  // `state_dir` is created (mode 0700) if missing.
  static Result<MigrationJournal> open(std::string state_dir);
  // For a dry run: nothing is created or written. A missing `state_dir` (or mailbox
  // file) reads as an empty journal; record() is refused (invalid_argument) without
  // touching the disk, so a dry run must not call it (copy_mailbox does not).
  static Result<MigrationJournal> open_read_only(std::string state_dir);
  // Whether `uidl` was copied into `folder` of `mailbox_root` by an earlier run.
  // limit_exceeded when the mailbox's journal is over max_journal_bytes.
  Result<bool> copied_before(const std::string& mailbox_root, std::string_view folder, std::string_view uidl);
  // Records copies (durably before returning). Nothing is written for no `uidls`.
  Status record(const std::string& mailbox_root, std::string_view folder, const std::vector<std::string>& uidls);

  // The journal file of a mailbox root (for tests and for administrators).
  std::string file_of(const std::string& mailbox_root) const;

 private:
  MigrationJournal(std::string state_dir, bool writable) : state_dir_(std::move(state_dir)), writable_(writable) {}
  Status load(const std::string& mailbox_root);

  std::string state_dir_;
  bool writable_;
  // The journal of the last mailbox asked about, as "<folder>\t<uidl>" keys.
  std::optional<std::string> loaded_root_;
  std::unordered_set<std::string> loaded_;
};

}  // namespace dirmail::migration
