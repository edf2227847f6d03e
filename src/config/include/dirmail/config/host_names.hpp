#pragma once
// server.hostname and server.node_name with their "empty: the system host name" rule applied.
#include <string>

#include "dirmail/config/settings.hpp"

namespace dirmail::config {

// The name announced in SMTP greetings and Received: fields.
std::string host_name(const Settings& settings);
// The name of this node in per-node log files.
std::string node_name(const Settings& settings);
// gethostname(), or "localhost" when it fails.
std::string system_host_name();

}  // namespace dirmail::config
