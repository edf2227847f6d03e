#pragma once
// Reading one queued message (its .msg header and its .state log) from given paths:
// FileQueue::load() for incoming/, and the read-only listing for incoming/ and hold/.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::queue {

// not_found when `msg_path` does not exist; a missing state file means all pending.
Result<QueuedMessage> read_queued_message(const std::string& msg_path, const std::string& state_path,
                                          std::string_view id);

}  // namespace dirmail::queue
