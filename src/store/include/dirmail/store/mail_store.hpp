#pragma once
// MailStore: users' mailboxes. Backends: posix (local disk or a mounted share) and smb
// (libsmbclient, UNC paths). Both keep the same layout and pass one conformance suite.
// Calls block on disk or network: run them on the blocking pool.
//
// A mailbox root is the expanded store.mailbox_path of one user; folders ("INBOX" and
// the IMAP folders) live below it. Each message has a UID (ascending, never
// reused within a UIDVALIDITY), a POP3 unique id (UIDL) and IMAP flags.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

enum Flag : std::uint8_t {
  flag_seen = 1,
  flag_answered = 2,
  flag_flagged = 4,
  flag_deleted = 8,
  flag_draft = 16,
};

// IMAP keywords (RFC 3501 §2.3.2 flag-keyword): each folder keeps a list of at most
// kMaxKeywords names, and a message's keywords are a bit mask over that list. A name
// keeps its bit for the folder's life, so masks read earlier stay valid; the list only
// grows (a folder whose list is full refuses new names with limit_exceeded).
inline constexpr std::size_t kMaxKeywords = 64;
inline constexpr std::size_t kMaxKeywordLength = 64;
// An IMAP atom (no '\\': system flags are Flag bits), 1..kMaxKeywordLength bytes.
bool valid_keyword(std::string_view name);

// A POP3 unique id (RFC 1939 section 7): 1 to kMaxUidlBytes characters in 0x21..0x7E.
inline constexpr std::size_t kMaxUidlBytes = 70;
bool valid_uidl(std::string_view uidl);

struct MessageInfo {
  std::uint32_t uid = 0;
  std::uint64_t size = 0;        // bytes as stored (CRLF line ends)
  std::string uidl;              // POP3 unique id, stable for the message's life
  std::uint8_t flags = 0;        // Flag bits
  std::int64_t internal_date = 0;  // unix seconds of delivery
  std::uint64_t keywords = 0;    // bit i: FolderStatus::keywords[i]
  // RFC 7162 mod-sequence: moves (to the folder's new highest) whenever the message
  // is added or its flags or keywords change. 0 from a backend without them.
  std::uint64_t modseq = 0;
};

struct FolderStatus {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::vector<MessageInfo> messages;  // ascending UID order
  std::vector<std::string> keywords;  // the folder's keyword names, by bit
  // The highest mod-sequence of any change (add, flags, expunge) in the folder; only
  // grows while the UIDVALIDITY stays. 0 from a backend without mod-sequences.
  std::uint64_t highest_modseq = 0;
  // Messages with this UID or above have not been claimed as \Recent by any session
  // yet (take_recent()).
  std::uint32_t first_recent_uid = 1;
};

// STORE (RFC 3501 §6.4.6, RFC 7162 §3.1.3) applied to several messages at once.
struct FlagUpdate {
  enum class Mode : std::uint8_t { replace, add, remove };
  Mode mode = Mode::replace;
  std::uint8_t flags = 0;               // Flag bits
  std::vector<std::string> keywords;    // names; valid_keyword(); new ones join the folder's list
  // UNCHANGEDSINCE: a message whose mod-sequence is above this is left alone and
  // reported in FlagUpdateResult::modified.
  std::optional<std::uint64_t> unchanged_since;
};

struct FlagUpdateResult {
  std::vector<MessageInfo> changed;     // messages whose flags changed: uid, flags, keywords, modseq
  std::vector<std::uint32_t> modified;  // refused by unchanged_since
  std::vector<std::uint32_t> missing;   // not in the folder (expunged meanwhile)
  std::vector<std::string> keywords;    // the folder's keyword list afterwards
  std::uint64_t highest_modseq = 0;
};

// Which messages left the folder after a given mod-sequence (QRESYNC, RFC 7162 §3.2.5).
struct ExpungedSince {
  // True: `uids` are exactly the messages expunged after the mod-sequence. False: the
  // store no longer knows (its log was compacted since); the caller must treat every
  // UID it knows of that is not in the folder as expunged.
  bool exact = false;
  std::vector<std::uint32_t> uids;  // ascending
};

// What to deliver: `prefix` (trace headers added at delivery) followed by `length`
// bytes of the file `fd` from `offset` (the message body inside a queue file).
struct DeliverySource {
  std::string_view prefix;
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string uidl;  // empty: the store makes one; set by migrations to keep UIDLs
  // When set, names this delivery: delivering the same id into the same folder again
  // stores nothing and returns the first copy, so a delivery repeated after a crash
  // leaves one message. 1-64 characters of [A-Za-z0-9-].
  std::string delivery_id;
};

// APPEND (RFC 3501 §6.3.11): the flags and date the client gave.
struct AppendOptions {
  std::uint8_t flags = 0;          // Flag bits (\Recent is not one)
  std::int64_t internal_date = 0;  // unix seconds; 0: now
  std::vector<std::string> keywords;  // valid_keyword() names
};

struct AppendResult {
  std::uint32_t uidvalidity = 0;  // of the target folder, for APPENDUID (RFC 4315)
  MessageInfo message;
};

// COPY/MOVE: each source UID with the UID of its copy, for COPYUID (RFC 4315).
struct CopiedMessage {
  std::uint32_t source_uid = 0;
  std::uint32_t uid = 0;
};

struct CopyResult {
  std::uint32_t uidvalidity = 0;  // of the target folder
  std::vector<CopiedMessage> copied;  // ascending source UID; UIDs not in the source are skipped
};

// Bytes a protocol layer derived from one message (MailStore::summaries).
struct MessageSummaryBytes {
  std::uint32_t uid = 0;
  std::string bytes;
};

// Sequential reader of one stored message.
class MessageReader {
 public:
  virtual ~MessageReader() = default;
  // Reads up to buf.size() bytes; 0 at the end.
  virtual Result<std::size_t> read(std::span<char> buf) = 0;
  virtual std::uint64_t size() const = 0;
  // Moves `count` bytes ahead (a FETCH of one part). This default reads and drops them.
  virtual Status skip(std::uint64_t count);
};

// Whether `name` is one of the user files below (any case). Folder names never are.
bool valid_user_file_name(std::string_view name);

class MailStore {
 public:
  virtual ~MailStore() = default;
  virtual std::string_view backend_name() const = 0;

  // Stores one message durably (file and folder synced) and returns its UID.
  virtual Result<MessageInfo> deliver(const std::string& mailbox_root, std::string_view folder,
                                      const DeliverySource& source) = 0;
  // The folder's UIDVALIDITY, next UID and messages. A mailbox that does not exist
  // yet is empty (it is created on first delivery).
  virtual Result<FolderStatus> status(const std::string& mailbox_root, std::string_view folder) = 0;
  virtual Result<std::unique_ptr<MessageReader>> open_message(const std::string& mailbox_root,
                                                              std::string_view folder,
                                                              std::uint32_t uid) = 0;
  // Replaces the system flags of one message; its keywords stay.
  virtual Result<void> set_flags(const std::string& mailbox_root, std::string_view folder,
                                 std::uint32_t uid, std::uint8_t flags) = 0;
  // Changes flags and keywords of the messages `uids` in one step (one lock, one log
  // append). invalid_argument for a bad keyword name; limit_exceeded when new names do
  // not fit the folder's list (nothing is changed then). not_found: no such folder.
  // With no `uids` nothing changes: a cheap way to read the highest mod-sequence.
  virtual Result<FlagUpdateResult> update_flags(const std::string& mailbox_root, std::string_view folder,
                                                std::span<const std::uint32_t> uids, const FlagUpdate& update) = 0;
  // \Recent (RFC 3501 §2.3.2): the first session to be told of a message gets it.
  // Claims the messages with UIDs below `uidnext` that no one has claimed yet and
  // returns the first UID claimed: the caller's recent messages are
  // [returned value, uidnext). Nothing is claimed when another session got there
  // first (the returned value is then >= uidnext).
  virtual Result<std::uint32_t> take_recent(const std::string& /*mailbox_root*/, std::string_view /*folder*/,
                                            std::uint32_t uidnext) {
    return uidnext;
  }
  // The UIDs expunged after `modseq` (QRESYNC). A backend without the record answers
  // "not exact".
  virtual Result<ExpungedSince> expunged_since(const std::string& /*mailbox_root*/, std::string_view /*folder*/,
                                               std::uint64_t /*modseq*/) {
    return ExpungedSince{};
  }
  // Removes the messages for good.
  virtual Result<void> expunge(const std::string& mailbox_root, std::string_view folder,
                               std::span<const std::uint32_t> uids) = 0;
  // Bytes of the messages in every folder of the mailbox: the figure a mailbox limit
  // is checked against. Cheap enough for every RCPT: it comes from the folders'
  // indexes, never from reading the message files. A mailbox not created yet uses 0.
  virtual Result<std::uint64_t> usage(const std::string& mailbox_root) = 0;

  // Small per-user files kept beside the folders: the original's mail control files
  // (IMS.CTL, AUTORPLY.TXT, NOREPLY.TXT, REPLIED.TXT, PERMITFROM.TXT) and dirmail's
  // auto-reply memory AUTOREPLY.LOG. `name` must pass valid_user_file_name().
  // The file's bytes, or nullopt when it does not exist; limit_exceeded past max_size.
  virtual Result<std::optional<std::string>> read_user_file(const std::string& mailbox_root, std::string_view name,
                                                            std::size_t max_size) = 0;
  // Replaces the file atomically (write, sync, rename), creating the mailbox folder.
  virtual Status write_user_file(const std::string& mailbox_root, std::string_view name, std::string_view data) = 0;

  // ---- Folders (IMAP mailboxes) ----
  // Folder names are UTF-8 (the IMAP layer decodes modified UTF-7), with '/' as the
  // hierarchy delimiter: "Archive/2024". "INBOX" (any case) is the inbox. A name with
  // an empty component, a control character, invalid UTF-8 or over the length limits
  // is invalid_argument; the backend maps valid names to its own safe on-disk names,
  // so no name can reach outside the mailbox root.
  //
  // Every folder of the mailbox, INBOX first (INBOX is listed even before its first
  // delivery), then the others in byte order. Parents that were never created
  // themselves are not listed (LIST shows them as \NonExistent or \NoSelect).
  virtual Result<std::vector<std::string>> list_folders(const std::string& mailbox_root) = 0;
  // already_exists when the folder (or, on a case-insensitive share, one that differs
  // only in case) exists; creates the mailbox root if needed. A new folder's
  // UIDVALIDITY differs from that of any earlier folder of the same name.
  virtual Status create_folder(const std::string& mailbox_root, std::string_view folder) = 0;
  // Removes the folder and its messages. not_found when it does not exist;
  // permission_denied for INBOX; already_exists (has children) when folders below it
  // exist: they must be deleted first.
  virtual Status delete_folder(const std::string& mailbox_root, std::string_view folder) = 0;
  // Renames the folder and every folder below it (RFC 3501 §6.3.5). Renaming INBOX
  // moves its messages into a new folder `to` and leaves INBOX empty. not_found when
  // `from` does not exist, already_exists when `to` does.
  virtual Status rename_folder(const std::string& mailbox_root, std::string_view from, std::string_view to) = 0;
  // Stores a message given by an IMAP client. not_found when the folder does not
  // exist (the client gets [TRYCREATE]); INBOX always exists. As with deliver(),
  // source.uidl and source.delivery_id are honoured (dirmail-import keeps the
  // original's UIDLs, flags and dates this way).
  virtual Result<AppendResult> append(const std::string& mailbox_root, std::string_view folder,
                                      const DeliverySource& source, const AppendOptions& options) = 0;
  // Copies messages (with their flags and internal dates) to another folder, durably,
  // in ascending UID order. not_found when either folder does not exist.
  virtual Result<CopyResult> copy(const std::string& mailbox_root, std::string_view from,
                                  std::span<const std::uint32_t> uids, std::string_view to) = 0;
  // The user's subscribed names (LSUB), kept as given (a subscription may name a
  // folder that does not exist); empty when none were ever written.
  virtual Result<std::vector<std::string>> subscriptions(const std::string& mailbox_root) = 0;
  virtual Status set_subscriptions(const std::string& mailbox_root, const std::vector<std::string>& names) = 0;

  // A number that moves whenever this store object changes the folder (a delivery, an
  // append, a copy into it, flags, an expunge, a repair): a session waiting in IDLE
  // compares it every second and reads the folder only when it moved. Changes made by
  // other processes or nodes do not move it; those are found by polling. Cheap: no
  // disk access. A backend without it answers 0 (then only polling finds changes).
  virtual std::uint64_t change_count(const std::string& /*mailbox_root*/, std::string_view /*folder*/) { return 0; }
  // Calls `changed` after each change this store object makes to the folder (the
  // changes change_count counts), until the returned handle is dropped: a session in
  // IDLE is woken at once. `changed` runs on the writer's thread, under a lock: it must
  // only hand the news on (post to the session's executor). nullptr when the backend
  // cannot tell; then change_count and polling find changes.
  virtual std::shared_ptr<void> watch(const std::string& /*mailbox_root*/, std::string_view /*folder*/,
                                      std::function<void()> /*changed*/) {
    return nullptr;
  }

  // ---- Summaries: what a protocol layer derives from a message, kept beside it ----
  // IMAP keeps each message's MIME structure here, so a message file is read once and
  // not at every FETCH BODYSTRUCTURE. Derived data, never synced: a summary lost to a
  // crash or damage is simply made again by the caller. A backend that keeps none
  // answers nullopt for every UID and drops what it is given.
  // One answer per UID, in order: the bytes, or nullopt (none kept, or no such message).
  virtual Result<std::vector<std::optional<std::string>>> summaries(const std::string& /*mailbox_root*/,
                                                                    std::string_view /*folder*/,
                                                                    std::span<const std::uint32_t> uids) {
    return std::vector<std::optional<std::string>>(uids.size());
  }
  // Keeps summaries of messages of the folder (others are ignored); replaces earlier ones.
  virtual Status store_summaries(const std::string& /*mailbox_root*/, std::string_view /*folder*/,
                                 std::span<const MessageSummaryBytes> /*summaries*/) {
    return ok_status();
  }

  // ---- The maildrop lease (POP3's exclusive access, RFC 1939 §8) ----
  // A lease on the whole mailbox, kept in the mailbox itself so that it holds across the
  // processes and nodes sharing a store, where a process's own lock would not.
  // `holder` names one session (printable ASCII, no spaces, at most 200 bytes); the
  // lease runs until `expires` (unix seconds), and acquiring again with the same
  // holder renews it. While another holder's lease runs: already_exists naming that
  // holder, unless `stale(holder)` says that holder is gone (a session of a process
  // that has died on this node). An expired lease is taken over.
  virtual Status acquire_lease(const std::string& mailbox_root, std::string_view holder, std::int64_t expires,
                               const std::function<bool(std::string_view holder)>& stale) = 0;
  // Ends `holder`'s lease; nothing when another holder has it (it was taken over).
  virtual Status release_lease(const std::string& mailbox_root, std::string_view holder) = 0;
};

}  // namespace dirmail::store
