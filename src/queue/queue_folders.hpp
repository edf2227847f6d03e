#pragma once
// What a FileQueue and its open writers share: the location and folder paths, the
// group commit of incoming/, and this node's tag. Writers hold it, so they may outlive
// the FileQueue.
#include <mutex>
#include <string>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/group_commit.hpp"
#include "dirmail/queue/queue_location.hpp"

namespace dirmail::queue {

struct QueueFolders {
  QueueLocation location;
  store::FileSystem& fs;
  std::string tmp;       // root/tmp
  std::string incoming;  // root/incoming
  std::string claims;    // local_dir/claims (claim_lock.hpp)
  std::string node_tag;
  posix::UniqueFd lock_fd;  // local_dir/queue.lock, held shared while the queue is open
  GroupCommitter incoming_commit;
  std::mutex state_append;  // one .state append at a time in this process

  explicit QueueFolders(QueueLocation where)
      : location(std::move(where)),
        fs(*location.fs),
        tmp(posix::join_path(location.root, "tmp")),
        incoming(posix::join_path(location.root, "incoming")),
        claims(location.claims_dir()),
        incoming_commit([this] { return fs.sync_directory(incoming); }) {}

  const std::string& root() const { return location.root; }
  std::string tmp_path(std::string_view id) const { return posix::join_path(tmp, std::string(id) + ".msg"); }
  std::string msg_path(std::string_view id) const { return posix::join_path(incoming, std::string(id) + ".msg"); }
  std::string state_path(std::string_view id) const {
    return posix::join_path(incoming, std::string(id) + ".state");
  }
  Result<bool> exists(const std::string& path) const { return store::exists(fs, path); }
};

}  // namespace dirmail::queue
