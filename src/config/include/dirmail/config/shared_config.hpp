#pragma once
// One configuration for both nodes of the active/standby pair: each node's own
// dirmail.toml (the local file) names, in cluster.shared_config, a second file with the
// settings both nodes share. The effective settings are the table's defaults, then the
// shared file's settings, then the local file's:
//   - a setting in both files takes the local file's value, and a warning says so;
//   - a node-local setting (node_local_settings.hpp) in the shared file is an error,
//     "SHARED:LINE: cluster.role is node-local: set it in each node's own file";
//   - every other problem of either file is reported as load_string() reports it.
// Relative paths of the shared file are relative to this node's server.data_dir.
//
// Reading the shared file is the caller's part (it may be on an SMB share):
// store_settings::load_node_settings() does both steps.
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {

// The local file, loaded as load_file() loads it, with what the second step needs.
struct LocalConfig {
  std::string path;    // as given: messages name it
  std::string text;
  std::string folder;  // its absolute folder: the base of a relative server.data_dir
  Settings settings;   // from this file alone
};

Result<LocalConfig> load_local_file(const std::string& path);

struct LayeredSettings {
  Settings settings;
  // "smtp.max_recipients is set in both LOCAL:7 and SHARED:12; the local value is used",
  // in the order of the local file.
  std::vector<std::string> warnings;
};

// `local` over the shared file `shared_toml`; `shared_name` names it in messages (its
// path as cluster.shared_config writes it).
Result<LayeredSettings> add_shared_config(const LocalConfig& local, std::string_view shared_toml,
                                          std::string_view shared_name);

}  // namespace dirmail::config
