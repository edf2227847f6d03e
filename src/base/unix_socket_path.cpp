#include "dirmail/base/unix_socket_path.hpp"

#include <fcntl.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace dirmail::posix {
namespace {

constexpr std::size_t kMaxSunPath = sizeof(sockaddr_un{}.sun_path) - 1;  // and its NUL

}  // namespace

Result<UnixSocketPath> UnixSocketPath::make(const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "empty socket path");
  if (path.size() <= kMaxSunPath) return UnixSocketPath(path, UniqueFd());
  const auto slash = path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  UniqueFd fd(::open(folder.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    const int e = errno;
    return make_error(e == ENOENT ? ErrorCode::not_found : e == EACCES ? ErrorCode::permission_denied
                                                                         : ErrorCode::io_error,
                      folder + ": " + std::strerror(e));
  }
  std::string usable = "/proc/self/fd/" + std::to_string(fd.get()) + "/" + name;
  if (usable.size() > kMaxSunPath)
    return make_error(ErrorCode::invalid_argument, "socket file name too long: " + name);
  return UnixSocketPath(std::move(usable), std::move(fd));
}

}  // namespace dirmail::posix
