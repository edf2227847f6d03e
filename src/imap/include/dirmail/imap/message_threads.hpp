#pragma once
// THREAD (RFC 5256 §3): the ORDEREDSUBJECT and REFERENCES algorithms over SortRecords,
// and the "* THREAD" list. Pure, so they can be tested on made-up mailboxes.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dirmail/imap/sort_record.hpp"

namespace dirmail::imap {

// Levels of one thread: a reply deeper than this starts a thread of its own (then
// gathered by subject), so no walk over a thread goes deeper, whatever the mailbox holds.
inline constexpr std::size_t max_thread_depth = 1000;

struct ThreadNode {
  std::uint32_t id = 0;  // the message number or UID; 0 for a placeholder (missing parent)
  std::vector<ThreadNode> children;
};

// `uid`: threads name messages by UID rather than by message number.
std::vector<ThreadNode> thread_by_ordered_subject(std::span<const SortRecord> records, bool uid);
std::vector<ThreadNode> thread_by_references(std::span<const SortRecord> records, bool uid);

// "(1 2 (3)(4))(5)": what follows "* THREAD".
std::string format_threads(std::span<const ThreadNode> threads);

}  // namespace dirmail::imap
