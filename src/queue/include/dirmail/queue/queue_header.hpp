#pragma once
// The text header at the start of every queue file (<id>.msg):
//
//   DIRMAIL-QUEUE 1
//   id <queue id>
//   received <unix seconds>
//   client <address>        optional
//   helo <name>             optional
//   auth <user>             optional
//   from <reverse path>     empty value: the null sender
//   rcpt <forward path>     one line per recipient, in envelope order
//   <empty line>
//   <message bytes>
//
// Each line is "key value" ending in LF. Values hold no CR, LF or NUL and at most
// 1000 bytes; at most 10000 recipients; the header (blank line included) is at most
// 1 MiB. Unknown keys of a valid shape are skipped, so a newer node's files stay
// readable.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::queue {

inline constexpr std::string_view kQueueFileMagic = "DIRMAIL-QUEUE 1";
inline constexpr std::size_t kMaxQueueHeaderBytes = 1024 * 1024;
inline constexpr std::size_t kMaxQueueValueBytes = 1000;
inline constexpr std::size_t kMaxQueueRecipients = 10000;

struct ParsedQueueHeader {
  std::string id;
  Envelope envelope;
  std::uint64_t body_offset = 0;  // first byte after the blank line
};

// The header for a new queue file. Refuses values the parser would refuse.
Result<std::string> format_queue_header(std::string_view id, const Envelope& envelope);

// Parses the header at the start of `file_start` (the first bytes of a queue file; it
// may continue into the message). Pure: no I/O, every size bounded.
Result<ParsedQueueHeader> parse_queue_header(std::string_view file_start);

}  // namespace dirmail::queue
