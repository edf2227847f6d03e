// Fuzzes the configuration loader (load_string: TOML parsing, then validation against
// the settings table). What loads must satisfy the table (ranges, enums, lengths,
// listener syntax, absolute normal paths) and survive being written out and loaded
// again unchanged; what fails must say FILE:LINE for each problem.
#include <algorithm>
#include <map>
#include <string>
#include <variant>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/listen_entry.hpp"
#include "dirmail/config/loader.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using config::SettingSpec;
using config::SettingType;
using config::Settings;

constexpr std::string_view kSource = "fuzz.toml";
constexpr std::size_t kMaxStringBytes = 4096;  // the loader's per-value bound
constexpr std::size_t kMaxListEntries = 1024;

// A TOML basic string holding exactly `s` (valid UTF-8: the TOML parser checked it).
std::string toml_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Every setting written out as TOML, one [section] each.
std::string render(const Settings& s) {
  std::map<std::string_view, std::string> sections;
  for (const SettingSpec& spec : config::setting_specs()) {
    std::string& text = sections[spec.section()];
    text += std::string(spec.key()) + " = ";
    if (auto b = std::get_if<bool Settings::*>(&spec.field)) {
      text += s.**b ? "true" : "false";
    } else if (auto i = std::get_if<std::int64_t Settings::*>(&spec.field)) {
      text += std::to_string(s.**i);
    } else if (auto str = std::get_if<std::string Settings::*>(&spec.field)) {
      text += toml_string(s.**str);
    } else {
      const auto& list = s.*std::get<std::vector<std::string> Settings::*>(spec.field);
      text += "[";
      for (std::size_t n = 0; n < list.size(); ++n) text += (n ? ", " : "") + toml_string(list[n]);
      text += "]";
    }
    text += "\n";
  }
  std::string out;
  for (const auto& [name, body] : sections) out += "[" + std::string(name) + "]\n" + body;
  return out;
}

void check_path(const std::string& p) {
  FUZZ_CHECK(!p.empty() && p.front() == '/');
  for (auto part : split(p, '/')) FUZZ_CHECK(part != "." && part != "..");
  FUZZ_CHECK(p.find('\0') == std::string::npos);
  // No trailing separator except on the root itself. (Repeated separators may remain:
  // libstdc++ keeps a leading "//", which POSIX lets mean something else than "/".)
  FUZZ_CHECK(p.back() != '/' || p.find_first_not_of('/') == std::string::npos);
}

void check_string(std::string_view s) {
  FUZZ_CHECK(s.size() <= kMaxStringBytes);
  FUZZ_CHECK(s.find('\0') == std::string_view::npos);
}

void check_settings(const Settings& s) {
  for (const SettingSpec& spec : config::setting_specs()) {
    switch (spec.type) {
      case SettingType::Bool:
        break;
      case SettingType::Integer:
      case SettingType::Size:
      case SettingType::Duration: {
        const std::int64_t n = s.*std::get<std::int64_t Settings::*>(spec.field);
        if (spec.has_range()) FUZZ_CHECK(n >= spec.min && n <= spec.max);
        break;
      }
      case SettingType::String:
      case SettingType::Enum:
      case SettingType::Path: {
        const std::string& v = s.*std::get<std::string Settings::*>(spec.field);
        check_string(v);
        if (spec.type == SettingType::Enum) {
          const auto allowed = spec.allowed_values();
          FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), v) != allowed.end());
        }
        // An empty path means "none" (log.dir = ""); the data folder always exists.
        const bool data_dir = std::get<std::string Settings::*>(spec.field) == &Settings::server_data_dir;
        if (spec.type == SettingType::Path && (!v.empty() || data_dir)) check_path(v);
        break;
      }
      case SettingType::StringList: {
        const auto& list = s.*std::get<std::vector<std::string> Settings::*>(spec.field);
        FUZZ_CHECK(list.size() <= kMaxListEntries);
        for (const auto& entry : list) {
          check_string(entry);
          if (spec.unit == config::kListenEntryUnit) FUZZ_CHECK(config::parse_listen_entry(entry).ok());
        }
        break;
      }
    }
  }
}

void check_error(const Error& e) {
  FUZZ_CHECK(e.code == ErrorCode::invalid_argument || e.code == ErrorCode::limit_exceeded);
  // One problem per line, each "fuzz.toml:LINE: reason" (or the "more problems" tail).
  for (auto line : split(e.message, '\n')) {
    const bool located = line.substr(0, kSource.size() + 1) == std::string(kSource) + ":";
    if (!located) std::fprintf(stderr, "error message:\n%s\n", e.message.c_str());
    FUZZ_CHECK(located);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view toml = fuzz::as_view(data, size);
  auto loaded = config::load_string(toml, kSource, "/srv/dirmail");
  if (!loaded) {
    check_error(loaded.error());
    return 0;
  }
  check_settings(*loaded);
  if (trim(toml).empty()) FUZZ_CHECK(*loaded == config::defaults("/srv/dirmail"));

  const std::string rendered = render(*loaded);
  auto reloaded = config::load_string(rendered, kSource, "/elsewhere");
  if (!reloaded) {
    std::fprintf(stderr, "reload failed: %s\n--- rendered:\n%s\n", reloaded.error().message.c_str(), rendered.c_str());
  }
  FUZZ_CHECK(reloaded.ok());
  if (!(*reloaded == *loaded)) {
    std::fprintf(stderr, "loading the written-out settings changed them\n--- written:\n%s--- read back:\n%s",
                 rendered.c_str(), render(*reloaded).c_str());
  }
  FUZZ_CHECK(*reloaded == *loaded);
  return 0;
}
