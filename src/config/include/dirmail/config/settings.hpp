#pragma once
// Settings: one typed field per row of settings.def, and the table describing them.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dirmail::config {

enum class SettingType { Bool, Integer, Size, Duration, String, Path, Enum, StringList };

// The name used in docs and error messages: "bool", "integer", "size", ...
std::string_view to_string(SettingType type);

// The C++ type of a setting's value.
template <SettingType T> struct SettingValueType;
template <> struct SettingValueType<SettingType::Bool> { using type = bool; };
template <> struct SettingValueType<SettingType::Integer> { using type = std::int64_t; };
template <> struct SettingValueType<SettingType::Size> { using type = std::int64_t; };
template <> struct SettingValueType<SettingType::Duration> { using type = std::int64_t; };
template <> struct SettingValueType<SettingType::String> { using type = std::string; };
template <> struct SettingValueType<SettingType::Path> { using type = std::string; };
template <> struct SettingValueType<SettingType::Enum> { using type = std::string; };
template <> struct SettingValueType<SettingType::StringList> { using type = std::vector<std::string>; };
template <SettingType T> using SettingValue = typename SettingValueType<T>::type;

// Settings{} is value-initialised (false, 0, empty); config::defaults() or the loader
// give the table's defaults with paths made absolute.
struct Settings {
#define DIRMAIL_SETTING(field, name, type, def, unit, min, max, scope, en, ja, gpo) \
  SettingValue<SettingType::type> field{};
#include "dirmail/config/settings.def"
#undef DIRMAIL_SETTING

  bool operator==(const Settings&) const = default;
};

// Where a setting's value lives inside Settings.
using SettingField = std::variant<bool Settings::*, std::int64_t Settings::*, std::string Settings::*,
                                  std::vector<std::string> Settings::*>;

// The unit of a StringList whose entries are listener addresses "ADDRESS PORT", with
// a "*" after the port for implicit TLS.
inline constexpr std::string_view kListenEntryUnit = "ADDRESS PORT[*]";
// store.path_map entries: a Windows path prefix and where it is on this server.
inline constexpr std::string_view kPathMapUnit = "PREFIX = TARGET";

// One row of settings.def.
struct SettingSpec {
  std::string_view name;          // "section.key"
  SettingType type;
  std::string_view default_toml;  // TOML text of the default value
  std::string_view unit;          // Duration: "s" or "ms"; Enum: "a|b|c"; listen lists: kListenEntryUnit
  std::int64_t min;               // inclusive range of numeric types; 0..0 means none
  std::int64_t max;
  std::string_view scope;         // "global" or a service name
  std::string_view description_en;
  std::string_view description_ja;
  std::string_view policy_value;  // Group Policy registry value name
  SettingField field;

  constexpr std::string_view section() const { return name.substr(0, name.find('.')); }
  constexpr std::string_view key() const { return name.substr(name.find('.') + 1); }
  constexpr bool is_numeric() const {
    return type == SettingType::Integer || type == SettingType::Size || type == SettingType::Duration;
  }
  constexpr bool has_range() const { return is_numeric() && (min != 0 || max != 0); }
  // Enum only: the allowed values, in table order.
  std::vector<std::string_view> allowed_values() const;
};

// Every setting, in table order.
std::span<const SettingSpec> setting_specs();

// The row named "section.key", or nullptr.
const SettingSpec* find_setting(std::string_view name);

// True when some setting lives in [section].
bool is_known_section(std::string_view section);

}  // namespace dirmail::config
