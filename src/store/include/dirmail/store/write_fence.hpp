#pragma once
// WriteFence: whether this node may write to a store it shares with another node now.
// The cluster's store lease is one (cluster/store_lease.hpp): a node writes only while
// it holds the lease with the newest epoch. fenced_file_system() puts a fence in front
// of every write a FileSystem makes; the queue asks it before each commit.
#include <memory>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::store {

class WriteFence {
 public:
  virtual ~WriteFence() = default;
  // Before a write: ok (the write then counts as under way until end_write), or
  // temporary_failure saying why not (the caller answers 4xx and retries later; by then
  // the other node holds the store). A fence that hands the store over waits for the
  // writes under way.
  virtual Status begin_write() = 0;
  virtual void end_write() = 0;
};

// `fs` with `fence` asked around every call that changes something: opening for
// writing, each write, truncate, sync, rename, link, remove, make and remove directory,
// set_modified. Reads and listings pass, and so do locks: they hold nothing on the store
// (on smb they are this node's own; a lock file may be created empty).
std::shared_ptr<FileSystem> fenced_file_system(std::shared_ptr<FileSystem> fs, std::shared_ptr<WriteFence> fence);

}  // namespace dirmail::store
