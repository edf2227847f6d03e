#pragma once
// One account's mailbox in the original product's folders, as `dirmail-import` reads it
// (issue 11). Where it is (spec active-directory-guide.md §9.1, cluster-guide.md §5):
//
//   common box     <work folder>\inbox\<account>\            (the only mode AD allows)
//   per domain     <work folder>\inbox\<domain folder>\<account>\  (one folder per mail domain)
//   home           %HOME%\INETMAIL\INBOX (the mailbox folder template)
//
// ASSUMPTION (the spec does not describe the message files): each message is one RFC
// 5322 file in the mailbox folder named <UIDL>.EML (any case), and its POP3 UIDL is
// that name without the extension; IMAP flags, where a client set them, are the
// `Status:` / `X-Status:` header fields mail programs of the time wrote (R: \Seen,
// A: \Answered, F: \Flagged, T: \Draft); the internal date is the file's modification
// time. A subfolder holding such files is an IMAP folder of that name. The original's
// per-user files (IMS.CTL, AUTORPLY.TXT, NOREPLY.TXT, REPLIED.TXT, PERMITFROM.TXT) are
// carried over as they are. docs/migration.md says the same for administrators.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/migration/soft_account.hpp"

namespace dirmail::migration {

// Bounds: a damaged or hostile tree cannot make the importer unbounded.
inline constexpr std::size_t max_messages_per_folder = 1'000'000;
inline constexpr std::size_t max_folders_per_mailbox = 10'000;
inline constexpr std::size_t max_folder_depth = 16;
inline constexpr std::uint64_t max_message_bytes = 1ULL << 31;  // 2 GiB
// Entries (of any kind) read from one folder on disk.
inline constexpr std::size_t max_entries_per_folder = 2 * max_messages_per_folder;
// Skipped files and folders listed; the rest are counted in one last line.
inline constexpr std::size_t max_listed_skipped = 1000;

struct OriginalMessage {
  std::string file;            // file name inside its folder
  std::string uidl;            // the POP3 unique id the original gave out
  std::uint64_t size = 0;      // bytes of the file
  std::int64_t modified = 0;   // unix seconds: becomes the internal date
};

struct OriginalFolder {
  std::string name;            // "INBOX", or the IMAP folder name ("Archive/2024"), UTF-8
  std::string path;            // the folder on disk
  std::vector<OriginalMessage> messages;  // in the original's order: modification time, then name
};

struct OriginalMailbox {
  std::string path;                       // the mailbox folder
  std::vector<OriginalFolder> folders;    // INBOX first
  std::vector<std::string> user_files;    // names of the original's per-user files present
  // Files and folders left out, each with why ("2024.txt: not a message file (no .EML)").
  std::vector<std::string> skipped;
};

// Reads the folder tree (no message is read yet). not_found when `path` does not exist;
// limit_exceeded past the count bounds above. Folders below the mailbox folder become
// IMAP folders named by their path ("Archive/2024"); symbolic links are not followed
// (skipped), nor are folders deeper than max_folder_depth, names that are not UTF-8 or
// that the store refuses (store::canonical_folder_name), or a subfolder that would be
// INBOX again. Messages: regular files named <UIDL>.EML (any case) whose UIDL is 1-70
// printable ASCII characters (RFC 1939 §7) and size at most max_message_bytes.
// Per-user files (store::valid_user_file_name, except dirmail's own AUTOREPLY.LOG) are
// taken from the mailbox folder only.
Result<OriginalMailbox> read_original_mailbox(const std::string& path);

inline constexpr std::size_t max_status_header_bytes = 64 * 1024;
// The flags a message's header section gives (store::Flag bits); 0 without them.
// Every Status: and X-Status: field (any case, unfolded) counts; the letters R (\Seen),
// A (\Answered), F (\Flagged) and T (\Draft) are read, others ignored. D (marked for
// deletion by the mail program that wrote it) is NOT carried as \Deleted: the original
// still served such a message over POP3, and a \Deleted flag would let the first IMAP
// EXPUNGE or CLOSE remove mail the user never saw go. The section ends at its first
// empty line; at most max_status_header_bytes of it are looked at.
std::uint8_t flags_from_status_fields(std::string_view header_section);

enum class OriginalLayout { common, per_domain, home };
std::optional<OriginalLayout> parse_original_layout(std::string_view name);  // "common", "per-domain", "home"
std::string_view to_string(OriginalLayout layout);

// Where the original kept one account's mailbox: under `work_folder` (the common box and
// per-domain layouts), or under its home folder mapped to a local path by `map_home`
// (the home layout; nullopt when the row has no home folder or it cannot be mapped).
// Also nullopt for a per-domain row without a domain, and for an account or domain that
// could leave its folder: empty, ".", "..", or holding '/', '\\' or NUL. The path is
// spelled as the export and the spec name it ("inbox", "INETMAIL\\INBOX"): on a
// case-sensitive copy of the Windows tree a folder spelled in another case is not
// found (read_original_mailbox then answers not_found).
struct OriginalMailboxPlace {
  OriginalLayout layout = OriginalLayout::common;
  std::string work_folder;  // a local folder (a copy or a mount of the original's)
};
std::optional<std::string> original_mailbox_path(const OriginalMailboxPlace& place, const SoftAccount& row,
                                                 const std::optional<std::string>& mapped_home);

}  // namespace dirmail::migration
