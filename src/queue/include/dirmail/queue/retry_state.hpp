#pragma once
// A recipient's retry history, kept in the recipient state log (<id>.state) so that a
// restart continues the schedule instead of starting it again. One appended line per
// failed attempt; the latest line for a recipient wins:
//
//   <index> retry first=<unix s> next=<unix s> attempts=<n> refusals=<n>
//           line_fault_since=<unix s> unreachable_since=<unix s> delay_notified=<unix s>
//           last=<text to line end>
//
// (one line; keys in any order, `last=` last because its text holds spaces; a time of
// 0 or a missing optional key means "never"). first= and next= are required; unknown
// keys are skipped, so a newer node's lines stay readable. Readers older than this
// format skip the whole line (its word is neither "delivered" nor "failed").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::queue {

struct RetryState {
  std::int64_t first_attempt_at = 0;   // the first failed attempt (unix seconds)
  std::int64_t next_attempt_at = 0;    // when to try again (unix seconds)
  std::uint32_t attempts = 0;          // failed attempts so far
  std::uint32_t refusals = 0;          // of them, refusals (4xx replies)
  std::int64_t line_fault_since = 0;   // first line fault; 0: none yet
  std::int64_t unreachable_since = 0;  // first attempt the host could not be reached; 0: none yet
  std::int64_t delay_notified_at = 0;  // when the sender was sent a delay notice; 0: never
  std::string last_error;              // the last attempt's outcome, for logs and delay DSNs
  bool operator==(const RetryState&) const = default;
};

// The line to append (with its newline). Control characters in last_error become
// spaces and it is cut to kMaxStateReasonBytes.
std::string format_retry_state_line(std::size_t index, const RetryState& state);

// The part of a retry line after "<index> retry ". nullopt when it does not parse (a
// torn or damaged line, which the log replay skips). Pure; at most 2000 bytes are read.
std::optional<RetryState> parse_retry_state_fields(std::string_view fields);

}  // namespace dirmail::queue
