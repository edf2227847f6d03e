#pragma once
// ESEARCH (RFC 4731): SEARCH RETURN (MIN MAX ALL COUNT) and its "* ESEARCH" reply.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dirmail::imap {

// The result options asked for. "RETURN ()" means ALL (RFC 4731 §3.1).
struct SearchReturn {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
};

// `* ESEARCH (TAG "a1") UID MIN 2 MAX 9 ALL 2:4,9 COUNT 4`. `matches` ascend (sequence
// numbers, or UIDs when `uid`). With no match, MIN, MAX and ALL are left out.
std::string format_esearch(std::string_view tag, bool uid, std::span<const std::uint32_t> matches,
                           const SearchReturn& options);

// "2:4,9": ascending numbers as a sequence set with ranges.
std::string compact_sequence_set(std::span<const std::uint32_t> ascending);

}  // namespace dirmail::imap
