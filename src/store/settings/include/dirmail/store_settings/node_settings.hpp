#pragma once
// The settings a node runs with: its own dirmail.toml and, when that names one in
// cluster.shared_config, the file both nodes of the pair share (config/shared_config.hpp
// for the rules). dirmaild at start and on reload and dirmailctl all load them here, so
// that every program sees the same effective settings.
//
// The shared file is a local or mounted path, or a UNC path (\\nas\mail\dirmail\dirmail.toml)
// resolved with store.path_map: a mounted folder, or with store.backend = smb the share
// itself, reached with the local file's store.smb_* settings as the mail store is. A
// shared file that cannot be read is an error, never "no shared settings": a node must
// not run with half of its settings.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::store_settings {

struct NodeSettings {
  config::Settings settings;
  // A setting set in both files (the local value is used), one line each: the caller
  // logs them.
  std::vector<std::string> warnings;
};

// `ticket_cache`: with a Kerberos logon to the share, the credential cache file under
// server.data_dir for this read (removed after it); empty: one named after this process.
Result<NodeSettings> load_node_settings(const std::string& path, std::string_view ticket_cache = {});

// As above, each warning passed to `warn`.
Result<config::Settings> load_node_settings(const std::string& path,
                                            const std::function<void(const std::string&)>& warn);

}  // namespace dirmail::store_settings
