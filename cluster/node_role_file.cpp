#include "dirmail/cluster/node_role_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/cluster/replace_file.hpp"

namespace dirmail::cluster {

std::string_view to_string(NodeRole role) { return role == NodeRole::active ? "active" : "standby"; }

std::string node_role_path(const std::string& data_dir) {
  return posix::join_path(posix::join_path(data_dir, "cluster"), "role");
}

Status write_node_role(const std::string& data_dir, NodeRole role) {
  DIRMAIL_TRY(posix::ensure_directory(posix::join_path(data_dir, "cluster")));
  // Readable by all: the daemon may run as another user than the root hook.
  return replace_file(node_role_path(data_dir), std::string(to_string(role)) + "\n", 0644);
}

Result<std::optional<NodeRole>> read_node_role(const std::string& data_dir) {
  std::string path = node_role_path(data_dir);
  posix::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<NodeRole>{};
    return errno_error("open", path, errno);
  }
  auto content = posix::pread_up_to(fd.get(), 0, 64, path);
  if (!content) return std::move(content).error();
  std::string word = content->substr(0, content->find('\n'));
  std::string_view w = trim(word);
  if (w == "active") return std::optional<NodeRole>{NodeRole::active};
  if (w == "standby") return std::optional<NodeRole>{NodeRole::standby};
  return make_error(ErrorCode::invalid_argument,
                    path + " holds \"" + std::string(w.substr(0, 40)) + "\", not \"active\" or \"standby\"");
}

}  // namespace dirmail::cluster
