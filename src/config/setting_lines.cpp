#include "dirmail/config/setting_lines.hpp"

#include <toml++/toml.h>

#include "dirmail/config/loader.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {

std::map<std::string, std::uint32_t, std::less<>> setting_lines(std::string_view toml) {
  std::map<std::string, std::uint32_t, std::less<>> lines;
  if (toml.size() > kMaxConfigBytes) return lines;
  toml::table root;
  try {
    root = toml::parse(toml);
  } catch (const toml::parse_error&) {
    return lines;
  }
  for (const auto& [section, node] : root) {
    const toml::table* table = node.as_table();
    if (table == nullptr) continue;
    for (const auto& [key, value] : *table) {
      std::string name = std::string(section.str()) + "." + std::string(key.str());
      if (find_setting(name) != nullptr) lines.emplace(std::move(name), key.source().begin.line);
    }
  }
  return lines;
}

}  // namespace dirmail::config
