#pragma once
// The Queue on a local folder or on a share (layout in queue.hpp; where it lives in
// queue_location.hpp).
//
// A message file is written in tmp/<id>.msg (header, blank line, message bytes),
// synced, renamed into incoming/ and then incoming/ is synced by a group commit shared
// with every concurrent commit. Per-recipient outcomes are appended to
// incoming/<id>.state, each line synced.
#include <cstdint>
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/queue/queue_location.hpp"

namespace dirmail::queue {

struct QueueFolders;

class FileQueue final : public Queue {
 public:
  // Creates tmp/ and incoming/ as needed. Discards this node's files left in tmp/ by a
  // crash (never acknowledged), other nodes' tmp files older than a day, and .state
  // files whose message is gone; finishes a hold or release a crash cut short
  // (message_claim.hpp). `node_name` tells nodes sharing a queue folder apart.
  static Result<std::unique_ptr<FileQueue>> open(QueueLocation location, std::string node_name);
  // A queue in a local folder.
  static Result<std::unique_ptr<FileQueue>> open(const std::string& dir, std::string node_name);
  ~FileQueue() override;

  Result<std::unique_ptr<MessageWriter>> begin(const Envelope& envelope) override;
  Result<std::vector<std::string>> list() override;
  Result<QueuedMessage> load(std::string_view id) override;
  // On a share the message is copied into an unnamed local file (in local_dir): a
  // delivery reads it several times (each recipient, each destination, reports).
  Result<ClaimedMessage> claim(std::string_view id) override;
  // The message and its bytes as claim() gives them (with an empty claim), for a
  // caller that holds the message's claim already (a MessageClaim: dirmailctl queue
  // bounce).
  Result<ClaimedMessage> open_claimed(std::string_view id);
  Status record_retry(std::string_view id, std::size_t index, const RetryState& retry) override;
  Status set_recipient_state(std::string_view id, std::size_t index, RecipientState state,
                             std::string_view reason) override;
  // Unlinks <id>.msg, syncs incoming/, then unlinks <id>.state: a crash in between
  // leaves only a state file without message, which open() removes. (The other order
  // could leave a message without its outcomes and deliver it twice.) A message with
  // no state file is unlinked without a sync: if a crash undoes that, it comes back
  // whole and its deliveries, named by its id, are not repeated.
  Status remove(std::string_view id) override;

  // Syncs of incoming/ so far (commits, removals and new state files share them).
  std::uint64_t directory_syncs() const;
  const QueueLocation& location() const;

 private:
  explicit FileQueue(std::shared_ptr<QueueFolders> folders);
  // Appends one line to <id>.state and syncs it (and the folder when the file is new).
  Status append_state_line(std::string_view id, std::string line);
  // not_found unless <id>.msg is in incoming/.
  Status check_queued(std::string_view id);
  std::shared_ptr<QueueFolders> folders_;
};

}  // namespace dirmail::queue
