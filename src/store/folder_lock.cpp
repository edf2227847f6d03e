#include "folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

namespace dirmail::store {

Result<FolderLock> FolderLock::acquire(const std::string& folder_dir) {
  std::string path = posix::join_path(folder_dir, "dirmail.lock");
  for (;;) {
    int raw_fd;
    do {
      raw_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    } while (raw_fd < 0 && errno == EINTR);
    if (raw_fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
      return errno_error("open", path, errno);
    }
    posix::UniqueFd fd(raw_fd);
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) return errno_error("lock", path, errno);
    }
    // The folder may have been deleted or renamed while we waited: then the lock we
    // hold is that of a directory that is no longer here.
    struct stat held {};
    struct stat here {};
    if (::fstat(fd.get(), &held) != 0) return errno_error("stat", path, errno);
    if (::stat(path.c_str(), &here) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
      return errno_error("stat", path, errno);
    }
    if (held.st_dev == here.st_dev && held.st_ino == here.st_ino) return FolderLock(std::move(fd));
    // Another folder of that name was created meanwhile: lock that one.
  }
}

}  // namespace dirmail::store
