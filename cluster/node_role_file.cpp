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
  return replace_file(node_role_path(data_dir), std::string(to_string(role)) + "\nboot " + current_boot_id() + "\n",
                      0644);
}

std::string current_boot_id() {
  posix::UniqueFd fd(::open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  auto content = posix::pread_up_to(fd.get(), 0, 64, "boot_id");
  return content ? std::string(trim(*content)) : std::string();
}

namespace {

struct RoleFile {
  std::optional<NodeRole> role;
  std::string boot;
};

Result<RoleFile> read_role_file(const std::string& data_dir) {
  std::string path = node_role_path(data_dir);
  posix::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return RoleFile{};
    return errno_error("open", path, errno);
  }
  auto content = posix::pread_up_to(fd.get(), 0, 128, path);
  if (!content) return std::move(content).error();
  auto lines = split(*content, '\n');
  std::string_view w = trim(lines.front());
  RoleFile file;
  if (lines.size() > 1 && trim(lines[1]).starts_with("boot ")) file.boot = std::string(trim(trim(lines[1]).substr(5)));
  if (w == "active") file.role = NodeRole::active;
  if (w == "standby") file.role = NodeRole::standby;
  if (file.role) return file;
  return make_error(ErrorCode::invalid_argument,
                    path + " holds \"" + std::string(w.substr(0, 40)) + "\", not \"active\" or \"standby\"");
}

}  // namespace

Result<std::optional<NodeRole>> read_node_role(const std::string& data_dir) {
  auto file = read_role_file(data_dir);
  if (!file) return std::move(file).error();
  return file->role;
}

Result<std::optional<NodeRole>> read_node_role_this_boot(const std::string& data_dir) {
  auto file = read_role_file(data_dir);
  if (!file) return std::move(file).error();
  const std::string boot = current_boot_id();
  if (!file->role || boot.empty() || file->boot != boot) return std::optional<NodeRole>{};
  return file->role;
}

}  // namespace dirmail::cluster
