#pragma once
// UTF-16LE <-> UTF-8 for Registry.pol, whose strings Windows writes as UTF-16LE.
// Private to the config library.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::config::detail {

// The UTF-8 form of `bytes` (little-endian code units; the size must be even). nullopt
// when a surrogate is unpaired; `bad_at` then gets the byte index of that code unit.
std::optional<std::string> utf16le_to_utf8(std::string_view bytes, std::size_t& bad_at);

// The UTF-16LE form of `utf8`, which the caller has checked with valid_utf8().
std::string utf8_to_utf16le(std::string_view utf8);

// How many UTF-16 code units the valid UTF-8 text `utf8` takes.
std::size_t utf16_length(std::string_view utf8);

}  // namespace dirmail::config::detail
