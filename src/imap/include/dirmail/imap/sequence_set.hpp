#pragma once
// Sequence sets (RFC 3501 §9 sequence-set): "1:*", "2,4:7", "*". Used for message
// sequence numbers and for UIDs; '*' means the largest number in use.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::imap {

inline constexpr std::uint32_t sequence_star = UINT32_MAX;  // '*' as written
inline constexpr std::size_t max_sequence_ranges = 10000;
inline constexpr std::size_t max_sequence_set_bytes = 60000;

struct SequenceRange {
  std::uint32_t first = 0;  // as written: a:b may have a > b; '*' is sequence_star
  std::uint32_t last = 0;
};

struct SequenceSet {
  std::vector<SequenceRange> ranges;

  // Whether `value` is in the set once '*' stands for `star` (the largest number in use).
  bool contains(std::uint32_t value, std::uint32_t star) const;
  // The largest number the set names once '*' is `star` (for checking message numbers).
  std::uint32_t max_value(std::uint32_t star) const;
  // Ranges as [low, high] with '*' replaced by `star`.
  static std::pair<std::uint32_t, std::uint32_t> bounds(const SequenceRange& r, std::uint32_t star);
};

// UIDs as a set in the order given, each run of consecutive ascending values as
// "a:b": "4:6,9". COPYUID and APPENDUID (RFC 4315) pair two such sets by position.
std::string format_uid_set(std::span<const std::uint32_t> uids);

// Parses the whole text as a sequence set. Numbers are 1..4294967295 ('0' is refused).
Result<SequenceSet> parse_sequence_set(std::string_view text);

}  // namespace dirmail::imap
