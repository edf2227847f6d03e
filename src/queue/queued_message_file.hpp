#pragma once
// Reading one queued message (its .msg header and its .state log) from given paths:
// FileQueue::load() for incoming/, and the read-only listing for incoming/ and hold/.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::queue {

// not_found when `msg_path` does not exist; a missing state file means all pending.
Result<QueuedMessage> read_queued_message(store::FileSystem& fs, const std::string& msg_path,
                                          const std::string& state_path, std::string_view id);

// The header and states of a queued message from its open .msg file (and its .state
// file at `state_path`). `path` names the message in errors and in QueuedMessage::path.
Result<QueuedMessage> read_queued_message(store::FileSystem& fs, store::File& msg, const std::string& msg_path,
                                          const std::string& state_path, std::string_view id);

}  // namespace dirmail::queue
