#include "dirmail/config/node_local_settings.hpp"

#include <algorithm>
#include <array>

#include "dirmail/config/policy_merge.hpp"

namespace dirmail::config {
namespace {

// *.listen and *.refuse_on_addresses are not here: the documented pair listens on the
// wildcard addresses on both nodes and refuses both nodes' real addresses, which is one
// list for both. A node that must bind addresses of its own sets *.listen in its own
// file; the local value wins and start-up reports it, as a difference should be.
constexpr std::array<std::string_view, 16> kNodeLocal = {
    // This node: its name, its folders, its place in the pair, its computer account.
    "server.node_name",
    "server.data_dir",
    "log.dir",
    "cluster.role",
    "cluster.interface",
    "cluster.unicast_peers",
    "cluster.shared_config",
    "policy.computer_account",
    // What reaches the share before the shared file can be read from it.
    "store.backend",
    "store.path_map",
    "store.smb_logon",
    "store.smb_credentials_file",
    "store.smb_connections",
    "store.smb_timeout",
    "directory.keytab",
    "directory.principal",
};

}  // namespace

std::span<const std::string_view> node_local_settings() {
  // In table order, whatever the order above.
  static const std::vector<std::string_view> in_table_order = [] {
    std::vector<std::string_view> names;
    for (const SettingSpec& spec : setting_specs()) {
      if (std::find(kNodeLocal.begin(), kNodeLocal.end(), spec.name) != kNodeLocal.end()) names.push_back(spec.name);
    }
    return names;
  }();
  return in_table_order;
}

bool node_local_setting(std::string_view name) {
  return std::find(kNodeLocal.begin(), kNodeLocal.end(), name) != kNodeLocal.end();
}

std::vector<std::string> shared_setting_lines(const Settings& settings) {
  std::vector<std::string> lines;
  for (const SettingSpec& spec : setting_specs()) {
    if (node_local_setting(spec.name)) continue;
    lines.push_back(std::string(spec.name) + " = " + format_setting_value(setting_value(settings, spec)));
  }
  return lines;
}

}  // namespace dirmail::config
