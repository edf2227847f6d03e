#include "dirmail/queue/daemon_pid_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>

#include "dirmail/queue/queue_id.hpp"

namespace dirmail::queue {
namespace {

// dirmailctl holds the lock shared for a moment while it reads the file: a starting
// daemon waits that long rather than run without one.
constexpr int kClaimAttempts = 50;
constexpr auto kClaimPause = std::chrono::milliseconds(10);

}  // namespace

std::string daemon_pid_path(const std::string& queue_dir, std::string_view node_name) {
  return posix::join_path(queue_dir, "dirmaild-" + node_tag(node_name) + ".pid");
}

Result<DaemonPidFile> DaemonPidFile::claim(const std::string& queue_dir, std::string_view node_name) {
  std::string path = daemon_pid_path(queue_dir, node_name);
  auto fd = posix::open_file(path, O_RDWR | O_CREAT, 0644);
  if (!fd) return std::move(fd).error();
  for (int attempt = 0; ::flock(fd->get(), LOCK_EX | LOCK_NB) != 0; ++attempt) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return errno_error("lock", path, errno);
    if (attempt + 1 >= kClaimAttempts)
      return make_error(ErrorCode::already_exists, "another dirmaild delivers this node's queue (" + path + ")");
    std::this_thread::sleep_for(kClaimPause);
  }
  if (::ftruncate(fd->get(), 0) != 0) return errno_error("truncate", path, errno);
  DIRMAIL_TRY(posix::pwrite_all(fd->get(), std::to_string(::getpid()) + "\n", 0, path));
  return DaemonPidFile(std::move(path), std::move(*fd));
}

DaemonPidFile::~DaemonPidFile() {
  if (fd_.valid()) ::unlink(path_.c_str());  // still locked: no other daemon can own it yet
}

Result<pid_t> running_daemon_pid(const std::string& queue_dir, std::string_view node_name) {
  std::string path = daemon_pid_path(queue_dir, node_name);
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) {
    if (errno == ENOENT) return make_error(ErrorCode::not_found, "dirmaild is not running (no " + path + ")");
    return errno_error("open", path, errno);
  }
  posix::UniqueFd fd(raw);
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0)
    return make_error(ErrorCode::not_found, "dirmaild is not running (" + path + " is left from an earlier run)");
  if (errno != EWOULDBLOCK) return errno_error("lock", path, errno);
  auto text = posix::pread_up_to(fd.get(), 0, 32, path);
  if (!text) return std::move(text).error();
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), pid);
  if (ec != std::errc() || pid <= 0 || end == text->data() + text->size() || *end != '\n')
    return make_error(ErrorCode::temporary_failure, "dirmaild is starting; try again (" + path + ")");
  return pid;
}

}  // namespace dirmail::queue
