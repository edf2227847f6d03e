// Fuzzes IMAP sequence sets (sequence_set.hpp parse_sequence_set). Input: the set.
// A model decides acceptance and the ranges (numbers 1..4294967294 without leading
// zeros, or '*'; byte and range limits). Accepted sets format back to text that parses
// to the same ranges, and contains() / max_value() agree with the ranges' bounds.
#include <optional>
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/sequence_set.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using imap::SequenceRange;
using imap::sequence_star;

std::optional<std::uint32_t> model_number(std::string_view s) {
  if (s == "*") return sequence_star;
  if (s.empty() || s.size() > 10 || s[0] == '0') return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v >= sequence_star) return std::nullopt;  // 4294967295 would read as '*'
  return static_cast<std::uint32_t>(v);
}

// The expected ranges, or the expected error code.
struct Expected {
  std::vector<SequenceRange> ranges;
  std::optional<ErrorCode> error;  // nullopt: accepted
};

Expected model(std::string_view text) {
  Expected e;
  if (text.empty()) return {{}, ErrorCode::invalid_argument};
  if (text.size() > imap::max_sequence_set_bytes) return {{}, ErrorCode::limit_exceeded};
  for (auto part : split(text, ',')) {
    if (e.ranges.size() == imap::max_sequence_ranges) return {{}, ErrorCode::limit_exceeded};
    auto colon = part.find(':');
    auto first = model_number(part.substr(0, colon));
    auto last = colon == std::string_view::npos ? first : model_number(part.substr(colon + 1));
    if (!first || !last) return {{}, ErrorCode::invalid_argument};
    e.ranges.push_back({*first, *last});
  }
  return e;
}

std::string format_number(std::uint32_t n) { return n == sequence_star ? "*" : std::to_string(n); }

std::string format_set(const imap::SequenceSet& set) {
  std::string out;
  for (const auto& r : set.ranges) {
    if (!out.empty()) out += ',';
    out += format_number(r.first);
    if (r.last != r.first) out += ':' + format_number(r.last);
  }
  return out;
}

bool same_ranges(const std::vector<SequenceRange>& a, const std::vector<SequenceRange>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].first != b[i].first || a[i].last != b[i].last) return false;
  return true;
}

// contains() and max_value() for one value of '*', against the bounds of each range.
void check_queries(const imap::SequenceSet& set, std::uint32_t star) {
  std::uint32_t max = 0;
  const std::size_t n = set.ranges.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = set.ranges[i];
    auto [lo, hi] = imap::SequenceSet::bounds(r, star);
    FUZZ_CHECK(lo <= hi);
    FUZZ_CHECK(lo == (r.first == sequence_star ? star : r.first) || lo == (r.last == sequence_star ? star : r.last));
    max = std::max(max, hi);
    // contains() scans every range: probe the first and last few only, to stay linear.
    if (i < 8 || i + 8 >= n) {
      FUZZ_CHECK(set.contains(lo, star) && set.contains(hi, star));
      FUZZ_CHECK(set.contains(lo + (hi - lo) / 2, star));
    }
  }
  FUZZ_CHECK(set.max_value(star) == max);
  if (max < UINT32_MAX) FUZZ_CHECK(!set.contains(max + 1, star));
  // A value outside every range is not contained.
  for (std::uint32_t probe : {0u, 1u, star, star + 1u, 4294967294u}) {
    bool in_some = false;
    for (const auto& r : set.ranges) {
      auto [lo, hi] = imap::SequenceSet::bounds(r, star);
      in_some = in_some || (probe >= lo && probe <= hi);
    }
    FUZZ_CHECK(set.contains(probe, star) == in_some);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_view(data, size);
  auto set = imap::parse_sequence_set(text);
  const Expected expected = model(text);
  if (!set) {
    FUZZ_CHECK(expected.error.has_value());
    FUZZ_CHECK(set.error().code == expected.error);
    return 0;
  }
  FUZZ_CHECK(!expected.error.has_value());
  FUZZ_CHECK(same_ranges(set->ranges, expected.ranges));
  FUZZ_CHECK(!set->ranges.empty() && set->ranges.size() <= imap::max_sequence_ranges);
  for (const auto& r : set->ranges) FUZZ_CHECK(r.first != 0 && r.last != 0);

  // Round trip: the canonical text parses to the same ranges.
  const std::string again_text = format_set(*set);
  FUZZ_CHECK(again_text.size() <= text.size());
  auto again = imap::parse_sequence_set(again_text);
  FUZZ_CHECK(again && same_ranges(again->ranges, set->ranges));

  // '*' as the smallest, a middling and the largest number in use.
  std::uint32_t mid = 1;
  if (size >= 4) mid = (static_cast<std::uint32_t>(data[0]) << 24 | static_cast<std::uint32_t>(data[1]) << 16 |
                        static_cast<std::uint32_t>(data[2]) << 8 | data[3]) | 1u;
  for (std::uint32_t star : {0u, 1u, mid, 4294967294u}) check_queries(*set, star);
  return 0;
}
