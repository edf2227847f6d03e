#include "dirmail/cluster/replace_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::cluster {

Status replace_file(const std::string& path, const std::string& content, mode_t mode) {
  auto slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  ::unlink(temporary.c_str());  // a leftover of a crash
  auto fd = posix::open_file(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (!fd) return std::move(fd).error();
  Status st = ::fchmod(fd->get(), mode) == 0 ? posix::write_all(fd->get(), content, temporary)
                                             : errno_error("chmod", temporary, errno);
  if (st) st = posix::sync_file(fd->get(), temporary);
  fd->reset();
  if (st && ::rename(temporary.c_str(), path.c_str()) != 0) st = errno_error("rename", path, errno);
  if (!st) {
    ::unlink(temporary.c_str());
    return st;
  }
  return posix::sync_directory(folder);
}

}  // namespace dirmail::cluster
