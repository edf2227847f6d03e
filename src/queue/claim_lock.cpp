#include "dirmail/queue/claim_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace dirmail::queue {
namespace {

// Whether `path` still names the file open as `fd` (the holder before us removed it).
bool still_named(int fd, const std::string& path) {
  struct stat open_file, named;
  return ::fstat(fd, &open_file) == 0 && ::stat(path.c_str(), &named) == 0 && open_file.st_ino == named.st_ino &&
         open_file.st_dev == named.st_dev;
}

}  // namespace

Result<ClaimLock> ClaimLock::wait(const std::string& dir, std::string_view id) {
  auto taken = take(dir, id, true);
  if (!taken) return std::move(taken).error();
  return std::move(**taken);
}

Result<std::optional<ClaimLock>> ClaimLock::try_take(const std::string& dir, std::string_view id) {
  return take(dir, id, false);
}

Result<std::optional<ClaimLock>> ClaimLock::take(const std::string& dir, std::string_view id, bool wait) {
  std::string path = posix::join_path(dir, std::string(id) + ".claim");
  bool made_folder = false;
  for (;;) {
    int raw = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (raw < 0) {
      if (errno == EINTR) continue;
      if (errno != ENOENT || made_folder) return errno_error("open", path, errno);
      DIRMAIL_TRY(posix::ensure_directory(dir));  // the first claim makes the folder
      made_folder = true;
      continue;
    }
    posix::UniqueFd fd(raw);
    while (::flock(fd.get(), wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK && !wait) return std::optional<ClaimLock>();
      if (errno != EINTR) return errno_error("lock", path, errno);
    }
    if (still_named(fd.get(), path)) return std::optional<ClaimLock>(ClaimLock(std::move(path), std::move(fd)));
  }
}

ClaimLock& ClaimLock::operator=(ClaimLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    fd_ = std::move(other.fd_);
  }
  return *this;
}

ClaimLock::~ClaimLock() { release(); }

void ClaimLock::release() {
  if (!fd_.valid()) return;
  ::unlink(path_.c_str());  // while still locked: the next claimer sees it gone and starts over
  fd_.reset();
}

}  // namespace dirmail::queue
