#pragma once
// The durable queue. A message is in the queue only once its file and the queue
// folder are synced: SMTP answers 250 after commit() returns, never before. Many
// concurrent commits share one folder sync (group commit).
//
// Layout under queue.dir (a local folder or a share: queue_location.hpp):
//   tmp/        messages being received; discarded on start (never acknowledged)
//   incoming/   committed messages <id>.msg, and <id>.state with per-recipient results
//   hold/       messages an administrator holds, laid out as in incoming/ (message_claim.hpp)
// and in the node-local folder (queue.dir itself for a local queue):
//   queue.lock  held by every process of this node that has the queue open
//   claims/     <id>.claim while a delivery or a command has the message (claim_lock.hpp)
//   spool/      unnamed files of messages being received for a queue on a share
//   dirmaild-<node tag>.pid   the daemon of this node (daemon_pid_file.hpp)
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/queue/claim_lock.hpp"
#include "dirmail/queue/retry_state.hpp"

namespace dirmail::queue {

// What a client asked for in delivery status notifications (RFC 3461) for one
// recipient; kept so that outbound delivery can pass them on and bounces honour them.
struct RecipientDsn {
  std::string notify;  // "" (not given), "NEVER", or a comma list of SUCCESS, FAILURE, DELAY
  std::string orcpt;   // "" or "addr-type;xtext" as the client sent it
  bool operator==(const RecipientDsn&) const = default;
};

struct Envelope {
  std::string sender;                   // reverse path without <>; empty for the null sender
  std::vector<std::string> recipients;  // forward paths without <>
  std::string client_address;
  std::string helo;
  std::string auth_user;                // empty when not authenticated
  std::int64_t received_at = 0;         // unix seconds
  // ESMTP parameters the message came with (empty or false when not given).
  std::string body;                     // "7BIT" or "8BITMIME" (MAIL BODY=)
  bool smtputf8 = false;                // MAIL SMTPUTF8 (RFC 6531)
  std::string dsn_ret;                  // "FULL" or "HDRS" (MAIL RET=)
  std::string dsn_envid;                // xtext (MAIL ENVID=)
  std::vector<RecipientDsn> recipient_dsn;  // parallel to recipients, or empty
  // The last `journal_copies` recipients are journal.addresses: they get the message
  // with the other recipients listed (Envelope-To:) and never a bounce.
  std::size_t journal_copies = 0;
};

// A message being written. Not thread-safe; one per SMTP transaction.
class MessageWriter {
 public:
  virtual ~MessageWriter() = default;
  virtual const std::string& id() const = 0;
  // Appends message bytes (already dot-unstuffed, CRLF line ends).
  virtual Status write(std::string_view data) = 0;
  virtual std::uint64_t size() const = 0;
  // Syncs the file, moves it into incoming/ and syncs the folder. Blocks: call it on
  // the blocking pool. After success the message survives a crash.
  virtual Status commit() = 0;
  // Drops the message (also done by the destructor when not committed).
  virtual void abort() = 0;
};

enum class RecipientState : std::uint8_t { pending, delivered, failed };

struct QueuedMessage {
  std::string id;
  Envelope envelope;
  std::vector<RecipientState> states;  // one per envelope recipient
  std::vector<std::string> state_reasons;  // reason recorded with each state ("" while pending)
  std::vector<std::optional<RetryState>> retries;  // a pending recipient's retry history, if any
  std::string path;                    // the .msg file (a posix path or an smb:// URL)
  std::uint64_t body_offset = 0;       // where the message bytes start in the file
  std::uint64_t body_size = 0;
};

// A message taken for one delivery attempt: administrators' commands (hold, delete,
// bounce) wait until it goes away, and its bytes are read through `fd`, the queue
// file itself or, for a queue on a share, a local copy of it (same offsets).
struct ClaimedMessage {
  QueuedMessage message;
  posix::UniqueFd fd;
  ClaimLock claim;
};

class Queue {
 public:
  virtual ~Queue() = default;
  virtual Result<std::unique_ptr<MessageWriter>> begin(const Envelope& envelope) = 0;
  // Committed messages in arrival order; on start this is the recovery list.
  virtual Result<std::vector<std::string>> list() = 0;
  virtual Result<QueuedMessage> load(std::string_view id) = 0;
  // Claims a queued message for a delivery attempt and opens it. Errors: not_found
  // when it is no longer queued (delivered, removed or held meanwhile);
  // temporary_failure when an administrator's command has it, or the share fails.
  virtual Result<ClaimedMessage> claim(std::string_view id) = 0;
  // Records a recipient's outcome durably (appended and synced) so a restart does
  // not deliver it twice.
  virtual Status set_recipient_state(std::string_view id, std::size_t index, RecipientState state,
                                     std::string_view reason) = 0;
  // Records a pending recipient's retry history after a failed attempt (appended and
  // synced), so that a restart goes on with the schedule instead of starting it again.
  virtual Status record_retry(std::string_view id, std::size_t index, const RetryState& retry) = 0;
  // Removes a message whose recipients are all done. The removal need not be durable
  // at once: deliveries must be idempotent (named by the queue id) for a message that
  // a crash brings back.
  virtual Status remove(std::string_view id) = 0;
};

}  // namespace dirmail::queue
