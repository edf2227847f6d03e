#include "folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace dirmail::store {

Result<FolderLock> FolderLock::acquire(const std::string& folder_dir) {
  std::string path = posix::join_path(folder_dir, "dirmail.lock");
  auto fd = posix::open_file(path, O_RDWR | O_CREAT, 0600);
  if (!fd) return std::move(fd).error();
  while (::flock(fd->get(), LOCK_EX) != 0) {
    if (errno != EINTR) return errno_error("lock", path, errno);
  }
  return FolderLock(std::move(*fd));
}

}  // namespace dirmail::store
