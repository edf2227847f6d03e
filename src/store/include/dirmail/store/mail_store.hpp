#pragma once
// MailStore: users' mailboxes. Backends: posix (local disk or a mounted share) and smb
// (libsmbclient, UNC paths). Both keep the same layout and pass one conformance suite.
// Calls block on disk or network: run them on the blocking pool.
//
// A mailbox root is the expanded store.mailbox_path of one user; folders ("INBOX",
// later IMAP folders) live below it. Each message has a UID (ascending, never
// reused within a UIDVALIDITY), a POP3 unique id (UIDL) and IMAP flags.
#include <cstdint>
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
};

}  // namespace dirmail::store
