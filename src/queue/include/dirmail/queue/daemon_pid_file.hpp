#pragma once
// dirmaild-<node tag>.pid in the queue's node-local folder (QueueLocation::local_dir:
// queue.dir itself for a local queue): the process that delivers this node's queue, so
// that dirmailctl can ask it to look at the queue now (SIGUSR1: queue flush, and after
// queue release or bounce). Nodes sharing a queue folder each have their own file.
//
// The daemon holds an flock on the file while it runs; a file nobody holds is left
// over from a daemon that is gone, so a stale pid (perhaps reused by now) is never
// signalled.
#include <sys/types.h>

#include <string>
#include <string_view>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::queue {

class DaemonPidFile {
 public:
  // Writes this process's pid and keeps the file locked until destroyed (which
  // removes it). Errors: already_exists when another live process holds it.
  static Result<DaemonPidFile> claim(const std::string& queue_dir, std::string_view node_name);
  DaemonPidFile(DaemonPidFile&&) = default;
  DaemonPidFile& operator=(DaemonPidFile&&) = default;
  ~DaemonPidFile();

  const std::string& path() const { return path_; }

 private:
  DaemonPidFile(std::string path, posix::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  posix::UniqueFd fd_;
};

std::string daemon_pid_path(const std::string& queue_dir, std::string_view node_name);

// The pid of the daemon delivering this node's queue. Errors: not_found when none
// runs (no file, or nobody holds it); temporary_failure when it is still starting.
Result<pid_t> running_daemon_pid(const std::string& queue_dir, std::string_view node_name);

}  // namespace dirmail::queue
