#pragma once
// Where dirmail.toml sets each setting: for telling an administrator which line a
// value comes from (dirmailctl policy show).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace dirmail::config {

// "section.key" -> the line that sets it, for every known setting `toml` sets. A
// document that does not parse gives no lines (load_string() says what is wrong).
std::map<std::string, std::uint32_t, std::less<>> setting_lines(std::string_view toml);

}  // namespace dirmail::config
