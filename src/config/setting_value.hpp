#pragma once
// Reads one setting's value from a TOML node, checked against its row of the table.
// Private to the config library: the loader and the defaults use it.
#include <cstdint>
#include <optional>
#include <string>

#include <toml++/toml.h>

#include "dirmail/config/settings.hpp"

namespace dirmail::config::detail {

// Bounds on what a single value may hold; the whole file is bounded by kMaxConfigBytes.
inline constexpr std::size_t kMaxStringBytes = 4096;
inline constexpr std::size_t kMaxListEntries = 1024;

// A problem found in the document: where, and "name: reason" or another reason.
struct Problem {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string reason;
};

// Stores the node's value into `settings` (the field of `spec`), or says what is wrong
// with it. The settings are left unchanged on failure.
std::optional<Problem> read_setting(const SettingSpec& spec, const toml::node& node, Settings& settings);

// "a string", "an integer", ...: how a TOML node's type reads in a message.
std::string_view describe_node_type(toml::node_type type);

}  // namespace dirmail::config::detail
