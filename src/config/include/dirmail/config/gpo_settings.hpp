#pragma once
// The dirmail settings one GPO sets: its Registry.pol entries under
// Software\Policies\dirmail read back the way gpo-templates/ declares them
// (policy_registry_value()), each value checked exactly as dirmail.toml's would be.
//
// A policy set to Enabled gives a value; a policy set to Disabled deletes the value
// ("**del." entries), which clears what a GPO of lower precedence set. A Flag policy
// that is Disabled writes 0, which is a value (off). A value that fails its check is
// reported and ignored, as if the GPO did not configure it; the other settings apply.
// A path must be absolute (or empty): an administrator writing a GPO cannot know the
// folder of each server's dirmail.toml that a relative path would depend on.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dirmail/config/registry_pol.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {

// A setting's value as Settings holds it (the alternative the setting's type uses).
using SettingValueData = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

struct GpoSetting {
  const SettingSpec* spec = nullptr;
  // nullopt: the GPO deletes the value, so that dirmail.toml (or the default) decides.
  std::optional<SettingValueData> value;
  // "**soft.": the value applies only when no GPO of lower precedence set the setting.
  bool only_if_unset = false;
};

struct GpoSettings {
  std::string gpo_name;
  std::vector<GpoSetting> settings;   // in table order
  std::vector<std::string> problems;  // one line each, naming the GPO, the setting and the registry value
};

// `entries` in file order, as read_registry_pol() gives them. Entries outside
// Software\Policies\dirmail and values no setting uses are ignored.
GpoSettings read_gpo_settings(std::string_view gpo_name, std::span<const RegistryPolEntry> entries);

}  // namespace dirmail::config
