#pragma once
// The per-message outcome log (<id>.state): one appended line per recipient outcome,
//   "<index> delivered <reason>\n" or "<index> failed <reason>\n",
// each synced before the delivery moves on. A later line for the same recipient wins.
// A pending recipient's retry history is kept in the same log as
// "<index> retry <fields>\n" lines (retry_state.hpp); a delivered or failed line ends it.
// A last line without its newline was cut short by a crash and is ignored, as are
// lines that do not parse (a crash can glue a torn line to the next append).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/queue/retry_state.hpp"

namespace dirmail::queue {

inline constexpr std::size_t kMaxStateReasonBytes = 1000;
inline constexpr std::size_t kMaxStateLogBytes = 16 * 1024 * 1024;

struct RecipientStates {
  std::vector<RecipientState> states;  // one per recipient
  std::vector<std::string> reasons;    // the reason recorded with each state
  // The latest retry line of each recipient, unless a delivered or failed line came after it.
  std::vector<std::optional<RetryState>> retries;
};

// One line; control characters in the reason become spaces and it is cut to 1000 bytes.
std::string format_recipient_state_line(std::size_t index, RecipientState state, std::string_view reason);

// Replays a state log for a message with `recipients` recipients. Pure; refuses logs
// over 16 MiB.
Result<RecipientStates> parse_recipient_state_log(std::string_view data, std::size_t recipients);

}  // namespace dirmail::queue
