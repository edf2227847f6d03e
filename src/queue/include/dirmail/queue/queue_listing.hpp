#pragma once
// The queue as an administrator sees it (dirmailctl queue list|show): the messages in
// incoming/ and hold/, read without changing anything (no folder made, no lock taken),
// so it is safe beside a running daemon. Messages come and go meanwhile: a file that
// vanishes between the folder read and its own read is left out.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/queue/queue_location.hpp"

namespace dirmail::queue {

struct ListedMessage {
  QueuedMessage message;
  bool held = false;  // in hold/: not delivered until released
};

struct QueueListing {
  std::vector<ListedMessage> messages;  // oldest first (ids begin with the arrival time)
  std::vector<std::string> problems;    // files that could not be read, each with its reason
};

// Every queued message; a missing folder is an empty queue.
Result<QueueListing> list_queue_folder(const QueueLocation& where);

// One message. Errors: invalid_argument for a malformed id, not_found when it is in
// neither folder.
Result<ListedMessage> read_listed_message(const QueueLocation& where, std::string_view id);

// The message's header block (its bytes up to the empty line), read from its file; at
// most `max_bytes` of it.
Result<std::string> read_message_header(store::FileSystem& fs, const QueuedMessage& message,
                                        std::size_t max_bytes = 256 * 1024);

}  // namespace dirmail::queue
