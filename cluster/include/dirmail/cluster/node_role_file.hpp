#pragma once
// This node's role as the cluster engine last set it: <data dir>/cluster/role holds
// "active" or "standby" and a newline, then "boot ID" (the kernel's boot id), so that a
// role from before a reboot is not taken for the engine's word now. keepalived's notify hooks and the Pacemaker
// agent's promote/demote write it through dirmailctl cluster promote|demote; it is
// the interface dirmail's role gate reads (only the active node delivers the queue
// and serves the virtual IP). No file: no engine has set a role yet.
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

enum class NodeRole { active, standby };

std::string_view to_string(NodeRole role);

std::string node_role_path(const std::string& data_dir);

// Replaces the file atomically (temporary file, fsync, rename, folder fsync), mode
// 0644 so that a daemon running as another user can read what a root hook wrote.
Status write_node_role(const std::string& data_dir, NodeRole role);

// nullopt when there is no file; invalid_argument when it holds something else.
Result<std::optional<NodeRole>> read_node_role(const std::string& data_dir);
// The role only when the engine set it since this machine started (else nullopt): what
// dirmaild acts on. After a reboot the engine sets it again (keepalived's first state).
Result<std::optional<NodeRole>> read_node_role_this_boot(const std::string& data_dir);

// The kernel's boot id (/proc/sys/kernel/random/boot_id); empty when unknown.
std::string current_boot_id();

}  // namespace dirmail::cluster
