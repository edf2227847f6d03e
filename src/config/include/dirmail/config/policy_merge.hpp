#pragma once
// The policy that applies: the settings of each GPO merged in application order
// (gpos_in_application_order()), a later GPO overriding an earlier one per setting,
// and the result laid over the settings from dirmail.toml.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/config/gpo_settings.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {

struct PolicyOverride {
  const SettingSpec* spec = nullptr;
  SettingValueData value;
  std::string gpo_name;  // the GPO that gave the value
};

struct MergedPolicy {
  std::vector<PolicyOverride> overrides;  // in table order, one per setting at most
  std::vector<std::string> problems;      // every GPO's, in application order

  // The override of "section.key", or nullptr when no GPO sets it.
  const PolicyOverride* find(std::string_view setting) const;
};

// `gpos` lowest precedence first. A GPO that deletes a value ("**del.", a Disabled
// policy) removes what an earlier GPO set; a "**soft." value applies only when no
// earlier GPO set the setting.
MergedPolicy merge_gpo_settings(std::span<const GpoSettings> gpos);

// `settings` (from dirmail.toml or the defaults) with every override applied.
void apply_policy(const MergedPolicy& policy, Settings& settings);

// The value `spec` has in `settings`.
SettingValueData setting_value(const Settings& settings, const SettingSpec& spec);

// A value as dirmail.toml would write it: true, 25, "text", ["a", "b"].
std::string format_setting_value(const SettingValueData& value);

}  // namespace dirmail::config
