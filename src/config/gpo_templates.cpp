#include "dirmail/config/gpo_templates.hpp"

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/policy_registry.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {
namespace {

constexpr std::string_view kHeader =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<!-- Generated from src/config/include/dirmail/config/settings.def: do not edit.\n"
    "     Regenerate with the build target gpo-templates (see gpo-templates/README.md). -->\n";

constexpr std::string_view kRootAttributes =
    " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
    " revision=\"1.0\" schemaVersion=\"1.0\""
    " xmlns=\"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions\"";

constexpr std::string_view kRootCategory = "dirmail";
constexpr std::string_view kSupportedOn = "SUPPORTED_dirmail";

// The texts of one ADML. {name}-style placeholders are filled per setting.
struct Language {
  std::string_view folder;
  std::string_view SettingSpec::*description;
  std::string_view title;
  std::string_view summary;
  std::string_view supported_on;
  std::string_view setting;        // {name} {default}
  std::string_view unit;           // {unit}
  std::string_view range;          // {min} {max}
  std::string_view negative_note;  // {table_min}: the table goes below what a policy can set
  std::string_view format;         // {unit}: the form of a string
  std::string_view list;           // a list without a stated entry form
  std::string_view list_format;    // {unit}
  std::string_view registry;       // {key} {value} {type}
  std::string_view registry_list;  // {key} {value} {list_key}
  std::string_view flag_states;
  std::string_view value_states;
  std::string_view list_states;
  std::string_view value_label;
  std::string_view value_unit_label;  // {unit}
  std::string_view entries_label;
  std::string_view seconds, milliseconds, bytes;
};

constexpr Language kEnglish{
    .folder = "en-US",
    .description = &SettingSpec::description_en,
    .title = "dirmail",
    .summary = "Group Policy settings of the dirmail mail server: one policy per setting of dirmail.toml.",
    .supported_on = "dirmail mail servers",
    .setting = "Setting: {name} in dirmail.toml (default: {default}).",
    .unit = "Unit: {unit}.",
    .range = "Range: {min} to {max}.",
    .negative_note = " dirmail.toml also accepts values down to {table_min}, which a policy cannot set.",
    .format = "Form: {unit}.",
    .list = "One entry per line, in order.",
    .list_format = "One entry per line, in order, each of the form {unit}.",
    .registry = "Registry: HKLM\\{key}, value {value} ({type}).",
    .registry_list =
        "Registry: HKLM\\{key}, value {value} (REG_DWORD 1), and the entries as the values 1, 2, ... (REG_SZ) "
        "of HKLM\\{list_key}.",
    .flag_states = "Enabled: on. Disabled: off. Not Configured: dirmail.toml decides (or the default).",
    .value_states = "Enabled: the value set here replaces the one in dirmail.toml. Disabled or Not Configured: "
                    "dirmail.toml decides (or the default).",
    .list_states = "Enabled: the entries set here, even none, replace the list in dirmail.toml. Disabled or Not "
                   "Configured: dirmail.toml decides (or the default).",
    .value_label = "Value:",
    .value_unit_label = "Value ({unit}):",
    .entries_label = "Entries:",
    .seconds = "seconds",
    .milliseconds = "milliseconds",
    .bytes = "bytes",
};

constexpr Language kJapanese{
    .folder = "ja-JP",
    .description = &SettingSpec::description_ja,
    .title = "dirmail",
    .summary = "dirmail メールサーバーのグループ ポリシー設定。dirmail.toml の設定ごとに 1 つのポリシーがあります。",
    .supported_on = "dirmail メールサーバー",
    .setting = "設定: dirmail.toml の {name} (既定値: {default})",
    .unit = "単位: {unit}",
    .range = "範囲: {min}～{max}",
    .negative_note = " (dirmail.toml では {table_min} まで指定できますが、ポリシーでは設定できません)",
    .format = "形式: {unit}",
    .list = "1 行に 1 項目ずつ、順に入力します。",
    .list_format = "1 行に 1 項目ずつ、順に入力します (形式: {unit})。",
    .registry = "レジストリ: HKLM\\{key} の値 {value} ({type})",
    .registry_list = "レジストリ: HKLM\\{key} の値 {value} (REG_DWORD 1) と、HKLM\\{list_key} の値 1, 2, ... (REG_SZ) "
                     "に各項目",
    .flag_states = "有効: オン。無効: オフ。未構成: dirmail.toml の値 (指定がなければ既定値) を使います。",
    .value_states = "有効: ここで設定した値を dirmail.toml の値より優先します。無効または未構成: dirmail.toml の値 "
                    "(指定がなければ既定値) を使います。",
    .list_states = "有効: ここで設定した項目 (0 個でもかまいません) を dirmail.toml のリストより優先します。"
                   "無効または未構成: dirmail.toml の値 (指定がなければ既定値) を使います。",
    .value_label = "値:",
    .value_unit_label = "値 ({unit}):",
    .entries_label = "項目:",
    .seconds = "秒",
    .milliseconds = "ミリ秒",
    .bytes = "バイト",
};

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fill(std::string_view text, std::initializer_list<std::pair<std::string_view, std::string>> values) {
  std::string out(text);
  for (const auto& [placeholder, value] : values) out = replace_all(out, placeholder, value);
  return out;
}

// ADMX names and string ids allow letters, digits and '_' only.
std::string item_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += allowed ? c : '_';
  }
  return out;
}

std::string policy_name(const SettingSpec& spec) { return item_name(spec.section()) + "_" + item_name(spec.key()); }
std::string element_id(const SettingSpec& spec) { return item_name(spec.policy_value); }
std::string category_name(std::string_view section) { return std::string(kRootCategory) + "_" + item_name(section); }
std::string category_string(std::string_view category) { return "Category_" + item_name(category); }
std::string enum_value_string(const SettingSpec& spec, std::string_view value) {
  return policy_name(spec) + "_Value_" + item_name(value);
}

std::vector<std::string_view> sections() {
  std::vector<std::string_view> out;
  for (const SettingSpec& spec : setting_specs()) {
    bool seen = false;
    for (std::string_view s : out) seen = seen || s == spec.section();
    if (!seen) out.push_back(spec.section());
  }
  return out;
}

bool has_presentation(const SettingSpec& spec) { return spec.type != SettingType::Bool; }

std::string unit_words(const SettingSpec& spec, const Language& lang) {
  if (spec.unit == "s") return std::string(lang.seconds);
  if (spec.unit == "ms") return std::string(lang.milliseconds);
  if (spec.unit == "bytes") return std::string(lang.bytes);
  return std::string(spec.unit);
}

// The default as the presentation shows it, when it is a plain TOML string.
std::optional<std::string> default_string(const SettingSpec& spec) {
  const std::string_view toml = spec.default_toml;
  if (toml.size() < 2 || toml.front() != '"' || toml.back() != '"') return std::nullopt;
  const std::string_view inner = toml.substr(1, toml.size() - 2);
  if (inner.find('\\') != std::string_view::npos) return std::nullopt;
  return std::string(inner);
}

// The default as a policy number, when a policy can set it.
std::optional<std::uint64_t> default_number(const SettingSpec& spec, const PolicyRegistryValue& reg) {
  std::int64_t value = 0;
  const std::string_view toml = spec.default_toml;
  const auto [end, error] = std::from_chars(toml.data(), toml.data() + toml.size(), value);
  if (error != std::errc{} || end != toml.data() + toml.size() || value < 0) return std::nullopt;
  const auto number = static_cast<std::uint64_t>(value);
  if (number < reg.min || number > reg.max) return std::nullopt;
  return number;
}

std::string explain_text(const SettingSpec& spec, const Language& lang) {
  const PolicyRegistryValue reg = policy_registry_value(spec);
  std::string out(spec.*lang.description);
  out += "\n\n" +
         fill(lang.setting, {{"{name}", std::string(spec.name)}, {"{default}", std::string(spec.default_toml)}});
  switch (reg.storage) {
    case PolicyStorage::Dword:
    case PolicyStorage::Qword:
      if (!spec.unit.empty()) out += "\n" + fill(lang.unit, {{"{unit}", unit_words(spec, lang)}});
      out += "\n" + fill(lang.range, {{"{min}", std::to_string(reg.min)}, {"{max}", std::to_string(reg.max)}});
      if (spec.min < 0) out += fill(lang.negative_note, {{"{table_min}", std::to_string(spec.min)}});
      break;
    case PolicyStorage::Text:
      if (spec.type != SettingType::Enum && !spec.unit.empty()) {
        out += "\n" + fill(lang.format, {{"{unit}", std::string(spec.unit)}});
      }
      break;
    case PolicyStorage::List:
      out += "\n";
      out += spec.unit.empty() ? std::string(lang.list) : fill(lang.list_format, {{"{unit}", std::string(spec.unit)}});
      break;
    case PolicyStorage::Flag: break;
  }
  const std::string value(reg.value_name);
  if (reg.storage == PolicyStorage::List) {
    out += "\n" + fill(lang.registry_list, {{"{key}", reg.key}, {"{value}", value}, {"{list_key}", reg.list_key}});
  } else {
    const std::string type(registry_type_name(reg.storage));
    out += "\n" + fill(lang.registry, {{"{key}", reg.key}, {"{value}", value}, {"{type}", type}});
  }
  out += "\n\n";
  out += reg.storage == PolicyStorage::Flag   ? lang.flag_states
         : reg.storage == PolicyStorage::List ? lang.list_states
                                              : lang.value_states;
  return out;
}

// ---- ADMX ---------------------------------------------------------------------------

void render_elements(std::string& out, const SettingSpec& spec, const PolicyRegistryValue& reg) {
  const std::string id = element_id(spec);
  const std::string value_name = escape(reg.value_name);
  out += "      <elements>\n";
  switch (reg.storage) {
    case PolicyStorage::Dword:
    case PolicyStorage::Qword:
      out += reg.storage == PolicyStorage::Dword ? "        <decimal" : "        <longDecimal";
      out += " id=\"" + id + "\" valueName=\"" + value_name + "\" required=\"true\" minValue=\"" +
             std::to_string(reg.min) + "\" maxValue=\"" + std::to_string(reg.max) + "\" />\n";
      break;
    case PolicyStorage::Text:
      if (spec.type != SettingType::Enum) {
        out += "        <text id=\"" + id + "\" valueName=\"" + value_name + "\" />\n";
        break;
      }
      out += "        <enum id=\"" + id + "\" valueName=\"" + value_name + "\" required=\"true\">\n";
      for (std::string_view v : spec.allowed_values()) {
        out += "          <item displayName=\"$(string." + enum_value_string(spec, v) + ")\">\n";
        out += "            <value>\n              <string>" + escape(v) + "</string>\n            </value>\n";
        out += "          </item>\n";
      }
      out += "        </enum>\n";
      break;
    case PolicyStorage::List:
      out += "        <list id=\"" + id + "\" key=\"" + escape(reg.list_key) + "\" valuePrefix=\"\" />\n";
      break;
    case PolicyStorage::Flag: break;
  }
  out += "      </elements>\n";
}

void render_policy(std::string& out, const SettingSpec& spec) {
  const PolicyRegistryValue reg = policy_registry_value(spec);
  const std::string name = policy_name(spec);
  out += "    <policy name=\"" + name + "\" class=\"Machine\" displayName=\"$(string." + name +
         ")\" explainText=\"$(string." + name + "_Help)\"";
  if (has_presentation(spec)) out += " presentation=\"$(presentation." + name + ")\"";
  out += " key=\"" + escape(reg.key) + "\"";
  const bool marked = reg.storage == PolicyStorage::Flag || reg.storage == PolicyStorage::List;
  if (marked) out += " valueName=\"" + escape(reg.value_name) + "\"";
  out += ">\n";
  out += "      <parentCategory ref=\"" + category_name(spec.section()) + "\" />\n";
  out += "      <supportedOn ref=\"" + std::string(kSupportedOn) + "\" />\n";
  if (marked) {
    out += "      <enabledValue>\n        <decimal value=\"1\" />\n      </enabledValue>\n";
    // A Disabled list deletes its marker, so that it reads as Not Configured.
    out += reg.storage == PolicyStorage::Flag
               ? "      <disabledValue>\n        <decimal value=\"0\" />\n      </disabledValue>\n"
               : "      <disabledValue>\n        <delete />\n      </disabledValue>\n";
  }
  if (reg.storage != PolicyStorage::Flag) render_elements(out, spec, reg);
  out += "    </policy>\n";
}

std::string render_admx() {
  std::string out(kHeader);
  out += "<policyDefinitions" + std::string(kRootAttributes) + ">\n";
  out += "  <policyNamespaces>\n";
  out += "    <target prefix=\"dirmail\" namespace=\"Dirmail.Policies.Dirmail\" />\n";
  out += "  </policyNamespaces>\n";
  out += "  <resources minRequiredRevision=\"1.0\" />\n";
  out += "  <supportedOn>\n    <definitions>\n";
  out += "      <definition name=\"" + std::string(kSupportedOn) + "\" displayName=\"$(string." +
         std::string(kSupportedOn) + ")\" />\n";
  out += "    </definitions>\n  </supportedOn>\n";
  out += "  <categories>\n";
  out += "    <category name=\"" + std::string(kRootCategory) + "\" displayName=\"$(string." +
         category_string(kRootCategory) + ")\" />\n";
  for (std::string_view section : sections()) {
    out += "    <category name=\"" + category_name(section) + "\" displayName=\"$(string." +
           category_string(section) + ")\">\n";
    out += "      <parentCategory ref=\"" + std::string(kRootCategory) + "\" />\n";
    out += "    </category>\n";
  }
  out += "  </categories>\n";
  out += "  <policies>\n";
  for (const SettingSpec& spec : setting_specs()) render_policy(out, spec);
  out += "  </policies>\n";
  out += "</policyDefinitions>\n";
  return out;
}

// ---- ADML ---------------------------------------------------------------------------

void render_string(std::string& out, std::string_view id, std::string_view text) {
  out += "      <string id=\"" + std::string(id) + "\">" + escape(text) + "</string>\n";
}

void render_presentation(std::string& out, const SettingSpec& spec, const Language& lang) {
  const PolicyRegistryValue reg = policy_registry_value(spec);
  const std::string id = element_id(spec);
  out += "      <presentation id=\"" + policy_name(spec) + "\">\n";
  switch (reg.storage) {
    case PolicyStorage::Dword:
    case PolicyStorage::Qword: {
      const std::string label = spec.unit.empty() ? std::string(lang.value_label)
                                                  : fill(lang.value_unit_label, {{"{unit}", unit_words(spec, lang)}});
      const std::string box = reg.storage == PolicyStorage::Dword ? "decimalTextBox" : "longDecimalTextBox";
      out += "        <" + box + " refId=\"" + id + "\"";
      if (auto number = default_number(spec, reg)) out += " defaultValue=\"" + std::to_string(*number) + "\"";
      out += ">" + escape(label) + "</" + box + ">\n";
      break;
    }
    case PolicyStorage::Text: {
      if (spec.type == SettingType::Enum) {
        out += "        <dropdownList refId=\"" + id + "\" noSort=\"true\"";
        const std::optional<std::string> def = default_string(spec);
        const std::vector<std::string_view> values = spec.allowed_values();
        for (std::size_t i = 0; def && i < values.size(); ++i) {
          if (values[i] == *def) out += " defaultItem=\"" + std::to_string(i) + "\"";
        }
        out += ">" + escape(lang.value_label) + "</dropdownList>\n";
        break;
      }
      out += "        <textBox refId=\"" + id + "\">\n";
      out += "          <label>" + escape(lang.value_label) + "</label>\n";
      const std::optional<std::string> def = default_string(spec);
      if (def && !def->empty()) out += "          <defaultValue>" + escape(*def) + "</defaultValue>\n";
      out += "        </textBox>\n";
      break;
    }
    case PolicyStorage::List:
      out += "        <listBox refId=\"" + id + "\">" + escape(lang.entries_label) + "</listBox>\n";
      break;
    case PolicyStorage::Flag: break;
  }
  out += "      </presentation>\n";
}

std::string render_adml(const Language& lang) {
  std::string out(kHeader);
  out += "<policyDefinitionResources" + std::string(kRootAttributes) + ">\n";
  out += "  <displayName>" + escape(lang.title) + "</displayName>\n";
  out += "  <description>" + escape(lang.summary) + "</description>\n";
  out += "  <resources>\n";
  out += "    <stringTable>\n";
  render_string(out, kSupportedOn, lang.supported_on);
  render_string(out, category_string(kRootCategory), kRootCategory);
  for (std::string_view section : sections()) render_string(out, category_string(section), section);
  for (const SettingSpec& spec : setting_specs()) {
    const std::string name = policy_name(spec);
    render_string(out, name, spec.name);
    render_string(out, name + "_Help", explain_text(spec, lang));
    for (std::string_view v : spec.allowed_values()) render_string(out, enum_value_string(spec, v), v);
  }
  out += "    </stringTable>\n";
  out += "    <presentationTable>\n";
  for (const SettingSpec& spec : setting_specs()) {
    if (has_presentation(spec)) render_presentation(out, spec, lang);
  }
  out += "    </presentationTable>\n";
  out += "  </resources>\n";
  out += "</policyDefinitionResources>\n";
  return out;
}

}  // namespace

std::vector<GpoTemplateFile> render_gpo_templates() {
  std::vector<GpoTemplateFile> files;
  files.push_back({"dirmail.admx", render_admx()});
  for (const Language* lang : {&kEnglish, &kJapanese}) {
    files.push_back({std::string(lang->folder) + "/dirmail.adml", render_adml(*lang)});
  }
  return files;
}

}  // namespace dirmail::config
