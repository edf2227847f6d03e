#pragma once
// Text in a named charset to UTF-8 and back, through the C library's iconv (glibc carries the
// Japanese charsets mail uses: ISO-2022-JP, Shift_JIS/CP932, EUC-JP).
#include <optional>
#include <string>
#include <string_view>

namespace dirmail {

// The bytes as UTF-8; a byte sequence the charset does not allow becomes U+FFFD and
// conversion goes on. nullopt when the charset is unknown. "UTF-8" and "US-ASCII" are
// checked, not converted.
std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset);

// UTF-8 text in a named charset (files written for Windows tools: "CP932"). Strict, as
// a writer must not lose characters: nullopt when the charset is unknown, the text is
// not valid UTF-8, or a character has no form in that charset.
std::optional<std::string> convert_from_utf8(std::string_view utf8, std::string_view charset);

}  // namespace dirmail
