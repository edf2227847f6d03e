#include "dirmail/config/settings.hpp"

#include <array>

namespace dirmail::config {
namespace {

constexpr std::array kSpecs = {
#define DIRMAIL_SETTING(field_, name_, type_, def_, unit_, min_, max_, scope_, en_, ja_, gpo_)               \
  SettingSpec{.name = name_, .type = SettingType::type_, .default_toml = def_, .unit = unit_, .min = min_, \
              .max = max_, .scope = scope_, .description_en = en_, .description_ja = ja_,                  \
              .policy_value = gpo_, .field = SettingField{&Settings::field_}},
#include "dirmail/config/settings.def"
#undef DIRMAIL_SETTING
};

// The variant index a type's member pointer must have.
constexpr std::size_t field_index(SettingType type) {
  switch (type) {
    case SettingType::Bool: return 0;
    case SettingType::Integer:
    case SettingType::Size:
    case SettingType::Duration: return 1;
    case SettingType::String:
    case SettingType::Path:
    case SettingType::Enum: return 2;
    case SettingType::StringList: return 3;
  }
  return 99;
}

constexpr bool table_is_consistent() {
  for (std::size_t i = 0; i < kSpecs.size(); ++i) {
    const SettingSpec& s = kSpecs[i];
    if (s.field.index() != field_index(s.type)) return false;
    if (s.name.find('.') == std::string_view::npos || s.name.find('.') != s.name.rfind('.')) return false;
    if (s.min > s.max) return false;
    if (!s.is_numeric() && (s.min != 0 || s.max != 0)) return false;
    if (s.type == SettingType::Duration && s.unit != "s" && s.unit != "ms") return false;
    if (s.type == SettingType::Enum && s.unit.empty()) return false;
    if (s.policy_value.empty() || s.description_en.empty() || s.description_ja.empty()) return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (kSpecs[j].name == s.name || kSpecs[j].policy_value == s.policy_value) return false;
    }
  }
  return true;
}
static_assert(table_is_consistent(),
              "settings.def: a row has a field of the wrong type, a bad name, range or unit, "
              "or repeats a name or policy value");

}  // namespace

std::string_view to_string(SettingType type) {
  switch (type) {
    case SettingType::Bool: return "bool";
    case SettingType::Integer: return "integer";
    case SettingType::Size: return "size";
    case SettingType::Duration: return "duration";
    case SettingType::String: return "string";
    case SettingType::Path: return "path";
    case SettingType::Enum: return "enum";
    case SettingType::StringList: return "string list";
  }
  return "unknown";
}

std::vector<std::string_view> SettingSpec::allowed_values() const {
  std::vector<std::string_view> values;
  if (type != SettingType::Enum) return values;
  std::string_view rest = unit;
  while (true) {
    const auto bar = rest.find('|');
    values.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return values;
}

std::span<const SettingSpec> setting_specs() { return kSpecs; }

const SettingSpec* find_setting(std::string_view name) {
  for (const SettingSpec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool is_known_section(std::string_view section) {
  for (const SettingSpec& spec : kSpecs) {
    if (spec.section() == section) return true;
  }
  return false;
}

}  // namespace dirmail::config
