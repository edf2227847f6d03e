#include "dirmail/config/policy_merge.hpp"

#include <toml++/toml.h>

#include <optional>
#include <sstream>
#include <type_traits>

namespace dirmail::config {
namespace {

std::size_t index_of(const SettingSpec* spec) { return static_cast<std::size_t>(spec - setting_specs().data()); }

}  // namespace

const PolicyOverride* MergedPolicy::find(std::string_view setting) const {
  for (const PolicyOverride& o : overrides) {
    if (o.spec->name == setting) return &o;
  }
  return nullptr;
}

MergedPolicy merge_gpo_settings(std::span<const GpoSettings> gpos) {
  std::vector<std::optional<PolicyOverride>> by_setting(setting_specs().size());
  MergedPolicy merged;
  for (const GpoSettings& gpo : gpos) {
    for (const GpoSetting& setting : gpo.settings) {
      std::optional<PolicyOverride>& slot = by_setting[index_of(setting.spec)];
      if (!setting.value) {
        slot.reset();
      } else if (!setting.only_if_unset || !slot) {
        slot = PolicyOverride{setting.spec, *setting.value, gpo.gpo_name};
      }
    }
    merged.problems.insert(merged.problems.end(), gpo.problems.begin(), gpo.problems.end());
  }
  for (auto& slot : by_setting) {
    if (slot) merged.overrides.push_back(std::move(*slot));
  }
  return merged;
}

void apply_policy(const MergedPolicy& policy, Settings& settings) {
  for (const PolicyOverride& o : policy.overrides) {
    std::visit(
        [&](auto member) {
          using Value = std::remove_cvref_t<decltype(settings.*member)>;
          if (const auto* value = std::get_if<Value>(&o.value)) settings.*member = *value;
        },
        o.spec->field);
  }
}

SettingValueData setting_value(const Settings& settings, const SettingSpec& spec) {
  return std::visit([&](auto member) -> SettingValueData { return settings.*member; }, spec.field);
}

std::string format_setting_value(const SettingValueData& value) {
  // Double-quoted strings, as the examples in the documentation write them.
  constexpr auto flags = toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings &
                         ~toml::format_flags::allow_multi_line_strings;
  std::ostringstream out;
  std::visit(
      [&](const auto& v) {
        using Value = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<Value, std::vector<std::string>>) {
          toml::array array;
          for (const std::string& s : v) array.push_back(s);
          out << toml::toml_formatter(array, flags);
        } else {
          out << toml::toml_formatter(toml::value<Value>(v), flags);
        }
      },
      value);
  return out.str();
}

}  // namespace dirmail::config
