#pragma once
// What SORT and THREAD (RFC 5256) compare about a message, taken from its header once,
// so only these few strings are held per message, never the header itself.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/imap/sort_criteria.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_thread_references = 100;  // References kept per message

struct SortRecord {
  std::uint32_t seq = 0;            // the message number; the last tie-breaker
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;
  std::int64_t sent_date = 0;       // Date:, or INTERNALDATE when missing or unreadable
  std::string subject;              // base subject, ASCII upper case
  bool reply_or_forward = false;    // the Subject had "Re:", "Fwd:"...
  std::string from, to, cc;         // first address's mailbox (local part), ASCII upper case
  std::string message_id;           // "<id@host>" as written; empty when missing
  std::vector<std::string> references;  // References, else In-Reply-To's first id; oldest first
};

// Fills the header-derived fields of `record` (seq, uid, size and internal_date are the
// caller's) from a header block.
void read_sort_fields(std::string_view header, SortRecord& record);

// The "<...>" message ids of a References or In-Reply-To value, in order.
std::vector<std::string> message_ids(std::string_view value, std::size_t max_ids);

// Positions into `records` in SORT order (RFC 5256 §3): each criterion in turn, then
// the message number.
std::vector<std::size_t> sort_order(std::span<const SortRecord> records, std::span<const SortCriterion> criteria);

// Whether SORT by `criteria` needs the messages' headers.
bool sort_needs_header(std::span<const SortCriterion> criteria);

}  // namespace dirmail::imap
