#include "dirmail/config/host_names.hpp"

#include <unistd.h>

#include <array>
#include <cstring>

namespace dirmail::config {

std::string system_host_name() {
  std::array<char, 256> buffer{};
  // gethostname may omit the terminator when the name is truncated.
  if (gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') return "localhost";
  return std::string(buffer.data(), strnlen(buffer.data(), buffer.size()));
}

std::string host_name(const Settings& settings) {
  return settings.server_hostname.empty() ? system_host_name() : settings.server_hostname;
}

std::string node_name(const Settings& settings) {
  return settings.server_node_name.empty() ? system_host_name() : settings.server_node_name;
}

}  // namespace dirmail::config
