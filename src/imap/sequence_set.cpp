#include "dirmail/imap/sequence_set.hpp"

#include <algorithm>

#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

Result<std::uint32_t> parse_seq_number(std::string_view s) {
  if (s == "*") return sequence_star;
  if (s.empty() || s.size() > 10 || s[0] == '0') return make_error(ErrorCode::invalid_argument, "Invalid sequence set");
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return make_error(ErrorCode::invalid_argument, "Invalid sequence set");
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  // 4294967295 would be indistinguishable from '*'; UIDs never reach it (the store stops earlier).
  if (v >= sequence_star) return make_error(ErrorCode::invalid_argument, "Sequence number out of range");
  return static_cast<std::uint32_t>(v);
}

}  // namespace

std::pair<std::uint32_t, std::uint32_t> SequenceSet::bounds(const SequenceRange& r, std::uint32_t star) {
  std::uint32_t a = r.first == sequence_star ? star : r.first;
  std::uint32_t b = r.last == sequence_star ? star : r.last;
  return {std::min(a, b), std::max(a, b)};
}

bool SequenceSet::contains(std::uint32_t value, std::uint32_t star) const {
  for (const auto& r : ranges) {
    auto [lo, hi] = bounds(r, star);
    if (value >= lo && value <= hi) return true;
  }
  return false;
}

std::uint32_t SequenceSet::max_value(std::uint32_t star) const {
  std::uint32_t m = 0;
  for (const auto& r : ranges) m = std::max(m, bounds(r, star).second);
  return m;
}

Result<SequenceSet> parse_sequence_set(std::string_view text) {
  if (text.empty()) return make_error(ErrorCode::invalid_argument, "Empty sequence set");
  if (text.size() > max_sequence_set_bytes) return make_error(ErrorCode::limit_exceeded, "Sequence set too long");
  SequenceSet set;
  for (auto part : split(text, ',')) {
    if (set.ranges.size() >= max_sequence_ranges)
      return make_error(ErrorCode::limit_exceeded, "Too many ranges in sequence set");
    auto colon = part.find(':');
    auto first = parse_seq_number(part.substr(0, colon));
    if (!first) return std::move(first).error();
    SequenceRange r{*first, *first};
    if (colon != std::string_view::npos) {
      auto last = parse_seq_number(part.substr(colon + 1));
      if (!last) return std::move(last).error();
      r.last = *last;
    }
    set.ranges.push_back(r);
  }
  return set;
}

std::string format_uid_set(std::span<const std::uint32_t> uids) {
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j] != UINT32_MAX && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace dirmail::imap
