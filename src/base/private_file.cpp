#include "dirmail/base/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::posix {

Result<std::string> read_private_file(const std::string& path, std::size_t max_size) {
  // O_NONBLOCK: a FIFO planted at the path must not hang the start (it fails the
  // regular-file check below instead).
  auto fd = open_file(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (!fd) return std::move(fd).error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return make_error(ErrorCode::io_error, "cannot stat " + path);
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::permission_denied, path + " is not a regular file");
  if (st.st_uid != ::geteuid() && st.st_uid != 0)
    return make_error(ErrorCode::permission_denied,
                      fmt::format("{} belongs to uid {}, not to this user (uid {}) or root; chown it", path,
                                  st.st_uid, ::geteuid()));
  if ((st.st_mode & 077) != 0)
    return make_error(ErrorCode::permission_denied,
                      fmt::format("{} has mode {:04o}: group and others must have no access; chmod 600 {}", path,
                                  st.st_mode & 07777, path));
  if (static_cast<std::uint64_t>(st.st_size) > max_size)
    return make_error(ErrorCode::limit_exceeded, fmt::format("{} is larger than {} bytes", path, max_size));
  return pread_up_to(fd->get(), 0, max_size, path);
}

Status write_private_file(const std::string& path, const std::string& content) {
  auto slash = path.rfind('/');
  std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string temporary = fmt::format("{}.tmp.{}", path, ::getpid());
  ::unlink(temporary.c_str());  // a leftover of a crash; never follow a link planted there
  auto fd = open_file(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (!fd) return std::move(fd).error();
  Status st = ::fchmod(fd->get(), 0600) == 0 ? write_all(fd->get(), content, temporary)
                                             : make_error(ErrorCode::io_error, "cannot chmod " + temporary);
  if (st) st = sync_file(fd->get(), temporary);
  fd->reset();
  if (st && ::rename(temporary.c_str(), path.c_str()) != 0)
    st = make_error(ErrorCode::io_error, fmt::format("cannot rename {} to {}", temporary, path));
  if (!st) {
    ::unlink(temporary.c_str());
    return st;
  }
  return sync_directory(folder);
}

}  // namespace dirmail::posix
