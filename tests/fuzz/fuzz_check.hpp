#pragma once
// Helpers shared by the fuzz targets. FUZZ_CHECK stays active in every build type
// (assert() would vanish under NDEBUG) and aborts, which libFuzzer reports as a crash
// with the input that caused it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

namespace dirmail::fuzz {

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Takes the first byte as a control value (0 when the input is empty).
inline std::uint8_t take_byte(std::string_view& input) {
  if (input.empty()) return 0;
  auto b = static_cast<std::uint8_t>(input.front());
  input.remove_prefix(1);
  return b;
}

// Takes everything up to the next `sep` (or the rest) and drops the separator.
inline std::string_view take_field(std::string_view& input, char sep) {
  auto pos = input.find(sep);
  std::string_view field = input.substr(0, pos);
  input.remove_prefix(pos == std::string_view::npos ? input.size() : pos + 1);
  return field;
}

// True when `part` points into `whole` (a parser's views must not dangle).
inline bool within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

inline bool has_upper_ascii(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return true;
  return false;
}

}  // namespace dirmail::fuzz
