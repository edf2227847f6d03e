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

struct MessageInfo {
  std::uint32_t uid = 0;
  std::uint64_t size = 0;        // bytes as stored (CRLF line ends)
  std::string uidl;              // POP3 unique id, stable for the message's life
  std::uint8_t flags = 0;        // Flag bits
  std::int64_t internal_date = 0;  // unix seconds of delivery
};

struct FolderStatus {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::vector<MessageInfo> messages;  // ascending UID order
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

// Sequential reader of one stored message.
class MessageReader {
 public:
  virtual ~MessageReader() = default;
  // Reads up to buf.size() bytes; 0 at the end.
  virtual Result<std::size_t> read(std::span<char> buf) = 0;
  virtual std::uint64_t size() const = 0;
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
  virtual Result<void> set_flags(const std::string& mailbox_root, std::string_view folder,
                                 std::uint32_t uid, std::uint8_t flags) = 0;
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
  // exist (the client gets [TRYCREATE]); INBOX always exists.
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
