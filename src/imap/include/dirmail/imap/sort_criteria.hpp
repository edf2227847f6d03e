#pragma once
// SORT and THREAD arguments (RFC 5256 §3): sort keys and thread algorithms.
#include <cstdint>
#include <vector>

namespace dirmail::imap {

inline constexpr std::size_t max_sort_criteria = 16;

struct SortCriterion {
  enum class Key : std::uint8_t { arrival, cc, date, from, size, subject, to };
  Key key = Key::arrival;
  bool reverse = false;
};

enum class ThreadAlgorithm : std::uint8_t { ordered_subject, references };

}  // namespace dirmail::imap
