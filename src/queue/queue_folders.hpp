#pragma once
// What a FileQueue and its open writers share: the folder paths, the group commit of
// incoming/, and this node's tag. Writers hold it, so they may outlive the FileQueue.
#include <mutex>
#include <string>

#include "dirmail/queue/group_commit.hpp"
#include "dirmail/base/posix_file.hpp"

namespace dirmail::queue {

struct QueueFolders {
  std::string root;
  std::string tmp;       // root/tmp
  std::string incoming;  // root/incoming
  std::string node_tag;
  posix::UniqueFd incoming_fd;  // synced by the committer
  posix::UniqueFd lock_fd;      // queue.lock, held shared while the queue is open
  GroupCommitter incoming_commit;
  std::mutex state_append;  // one .state append at a time in this process

  QueueFolders() : incoming_commit([this] { return posix::sync_file(incoming_fd.get(), incoming); }) {}

  std::string tmp_path(std::string_view id) const { return posix::join_path(tmp, std::string(id) + ".msg"); }
  std::string msg_path(std::string_view id) const { return posix::join_path(incoming, std::string(id) + ".msg"); }
  std::string state_path(std::string_view id) const {
    return posix::join_path(incoming, std::string(id) + ".state");
  }
};

}  // namespace dirmail::queue
