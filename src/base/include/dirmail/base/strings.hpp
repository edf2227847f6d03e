#pragma once
// Small ASCII string helpers used by the protocol parsers.
#include <string>
#include <string_view>
#include <vector>

namespace dirmail {

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// Control characters (and DEL) as \xNN, so that text quoted from an input cannot
// break a one-line message or log record.
std::string escape_control(std::string_view s);
// Replaces every occurrence of `from` (case-sensitive) with `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace dirmail
