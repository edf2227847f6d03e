#pragma once
// The settings each node of the active/standby pair keeps in its own dirmail.toml,
// apart from the file both nodes share (cluster.shared_config): what names or places
// this node, and what it needs to reach the share before it can read the shared file.
// Everything else belongs in the shared file, so that both nodes run the same settings.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/config/settings.hpp"

namespace dirmail::config {

// The node-local settings, "section.key", in table order.
std::span<const std::string_view> node_local_settings();

// True when `name` ("section.key") is node-local: the shared file may not set it.
bool node_local_setting(std::string_view name);

// "name = value" (the value as dirmail.toml writes it) for every setting that is not
// node-local, in table order: what both nodes should agree on, for comparing them.
std::vector<std::string> shared_setting_lines(const Settings& settings);

}  // namespace dirmail::config
