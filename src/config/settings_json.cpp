#include "dirmail/config/settings_json.hpp"

#include <cstdio>
#include <string_view>

#include "dirmail/config/settings.hpp"

namespace dirmail::config {
namespace {

// The table is UTF-8 already: only quotes, backslashes and control characters need escapes.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void member(std::string& out, std::string_view key, const std::string& json, bool last = false) {
  out += "    " + quoted(key) + ": " + json + (last ? "\n" : ",\n");
}

}  // namespace

std::string render_settings_json() {
  std::string out = "[\n";
  bool first = true;
  for (const SettingSpec& spec : setting_specs()) {
    out += first ? "  {\n" : ",\n  {\n";
    first = false;
    std::string values = "[";
    for (std::string_view v : spec.allowed_values()) values += (values.size() > 1 ? ", " : "") + quoted(v);
    values += "]";
    member(out, "name", quoted(spec.name));
    member(out, "section", quoted(spec.section()));
    member(out, "key", quoted(spec.key()));
    member(out, "type", quoted(to_string(spec.type)));
    member(out, "default", quoted(spec.default_toml));
    member(out, "unit", quoted(spec.unit));
    member(out, "allowed_values", values);
    member(out, "min", std::to_string(spec.min));
    member(out, "max", std::to_string(spec.max));
    member(out, "has_range", spec.has_range() ? "true" : "false");
    member(out, "scope", quoted(spec.scope));
    member(out, "description_en", quoted(spec.description_en));
    member(out, "description_ja", quoted(spec.description_ja));
    member(out, "policy_value", quoted(spec.policy_value), true);
    out += "  }";
  }
  out += "\n]\n";
  return out;
}

}  // namespace dirmail::config
