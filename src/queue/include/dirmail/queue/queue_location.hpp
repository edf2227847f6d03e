#pragma once
// Where a queue lives: a folder on a FileSystem (a local disk, a mounted share, or an
// SMB share reached with libsmbclient), and a node-local folder for what must not be
// shared between nodes: the lock that tells whether this process has the queue to
// itself, the claims of messages (claim_lock.hpp) and the daemon's pid file.
#include <memory>
#include <string>

#include "dirmail/store/file_system.hpp"

namespace dirmail::queue {

struct QueueLocation {
  std::shared_ptr<store::FileSystem> fs;
  std::string root;        // a posix path, or "smb://server/share/queue"
  std::string local_dir;   // a posix path on this node; the same as root for a local queue

  // Files on `root` are read by deliveries through a local descriptor: a queue on a
  // share is read through a local copy of each message (see FileQueue::claim).
  bool local() const;
  // local_dir/claims: the claims of messages (claim_lock.hpp).
  std::string claims_dir() const;
};

// A queue in a folder of this machine's file system.
QueueLocation local_queue(const std::string& dir);

}  // namespace dirmail::queue
