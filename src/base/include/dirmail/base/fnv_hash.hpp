#pragma once
// FNV-1a: a small non-cryptographic hash for checksums and name digests (index
// records, message file names, the importer's delivery ids and journal names). Never
// for anything an attacker may want to collide on purpose.
#include <cstdint>
#include <string_view>

namespace dirmail {

inline constexpr std::uint64_t fnv1a64_offset_basis = 14695981039346656037ull;

inline std::uint32_t fnv1a32(std::string_view data) {
  std::uint32_t h = 2166136261u;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

// `seed` other than the offset basis gives a second, independent-enough hash of the
// same data, for 128-bit names made of two.
inline std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed = fnv1a64_offset_basis) {
  std::uint64_t h = seed;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace dirmail
