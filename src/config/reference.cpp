#include "dirmail/config/reference.hpp"

#include <vector>

#include "dirmail/config/node_local_settings.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {
namespace {

constexpr std::string_view kIntroduction = R"(# dirmail settings reference

<!-- Generated from src/config/include/dirmail/config/settings.def: do not edit.
     Regenerate with `cmake --build BUILD_DIR --target settings-doc`. -->

dirmail reads its settings from one TOML file, `dirmail.toml` (the two nodes of an
active/standby pair add a second one they share, `cluster.shared_config`). Each setting
lives in the section named by the part of its name before the dot; a setting left out
takes its default:

```toml
[server]
data_dir = "/var/lib/dirmail"

[smtp]
listen = ["0.0.0.0 25", "::1 25"]
max_recipients = 200
```

`dirmailctl config check FILE` checks a file without starting anything. An unknown
section or setting, a value of the wrong type, a number out of range, an enum value
that is not listed or a malformed listen entry is an error reported as `FILE:LINE: reason`.

- **Numbers**: sizes are in bytes and durations in the unit shown (`s` seconds,
  `ms` milliseconds), written as plain integers. Ranges are inclusive.
- **Paths**: a relative `server.data_dir` is relative to the folder of the
  configuration file; every other relative path is relative to `server.data_dir`.
  An empty path stays empty.
- **Listen entries**: `"ADDRESS PORT"`, where the address is an IPv4 or IPv6
  literal (`"0.0.0.0 25"`, `"::1 25"`) and the port is 1..65535. A `*` right after
  the port (`"0.0.0.0 465*"`, as in the original product's `IP port[*]`) makes the
  listener speak TLS from the first byte (implicit TLS); it needs `tls.certificate_file`.
- **Scope**: `global` settings apply to the whole node; otherwise only the named
  service reads the setting. **node-local** settings stay in each node's own file when
  the nodes of a pair share a second file (`cluster.shared_config`, see
  [cluster.md](cluster.md)): the shared file may not set them.
- **Group Policy value**: the registry value name of the setting in the Group
  Policy templates (`gpo-templates/`).

各設定の説明は英語と日本語で記載しています。設定ファイルは TOML 形式で、設定名の
ドットより前の部分がセクション名になります。
)";

// Table cells cannot hold a raw '|'.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string code(std::string_view text) { return "`" + cell(text) + "`"; }

std::string unit_and_range(const SettingSpec& spec) {
  if (spec.type == SettingType::Enum) {
    std::string out = "one of ";
    bool first = true;
    for (std::string_view value : spec.allowed_values()) {
      if (!first) out += ", ";
      out += code(value);
      first = false;
    }
    return out;
  }
  if (spec.type == SettingType::StringList && spec.unit == kListenEntryUnit) return code(spec.unit) + " each";
  if (spec.type == SettingType::StringList && spec.unit == kPathMapUnit) return code(spec.unit) + " each";
  std::string out = cell(spec.unit);
  if (spec.has_range()) {
    if (!out.empty()) out += ", ";
    out += std::to_string(spec.min) + "..";
    out += std::to_string(spec.max);
  }
  return out;
}

void render_section(std::string& out, std::string_view section) {
  out += "\n## [" + std::string(section) + "]\n\n";
  out += "| Setting | Type | Default | Unit / range | Scope | Description | 説明 | Group Policy value |\n";
  out += "|---|---|---|---|---|---|---|---|\n";
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.section() != section) continue;
    out += "| " + code(spec.name);
    out += " | " + std::string(to_string(spec.type));
    out += " | " + code(spec.default_toml);
    out += " | " + unit_and_range(spec);
    out += " | " + cell(spec.scope) + (node_local_setting(spec.name) ? ", node-local" : "");
    out += " | " + cell(spec.description_en);
    out += " | " + cell(spec.description_ja);
    out += " | " + code(spec.policy_value);
    out += " |\n";
  }
}

}  // namespace

std::string render_settings_reference() {
  std::string out(kIntroduction);
  std::vector<std::string_view> sections;
  for (const SettingSpec& spec : setting_specs()) {
    bool seen = false;
    for (std::string_view s : sections) seen = seen || s == spec.section();
    if (!seen) sections.push_back(spec.section());
  }
  for (std::string_view section : sections) render_section(out, section);
  return out;
}

}  // namespace dirmail::config
