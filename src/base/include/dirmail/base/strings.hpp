#pragma once
// Small ASCII string helpers used by the protocol parsers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dirmail {

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// A decimal number of 1..max_digits ASCII digits and nothing else; nullopt otherwise.
// A value past 2^64-1 saturates there (it is larger than any limit it is checked against).
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::size_t max_digits);

// Control characters (and DEL) as \xNN, so that text quoted from an input cannot
// break a one-line message or log record.
std::string escape_control(std::string_view s);
// Whether every octet is 7-bit ASCII.
bool is_ascii(std::string_view s);
// Whether `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s);
// The value of one hexadecimal digit (either case), or -1.
int hex_value(char c);
// Appends code point `cp` (at most U+10FFFF, not a surrogate: the caller has checked) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
// Replaces every occurrence of `from` (case-sensitive) with `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace dirmail
