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
  // ok, or temporary_failure saying why not (the caller answers 4xx and retries later;
  // by then the other node holds the store).
  virtual Status may_write() = 0;
};

// `fs` with `fence` asked before every call that changes something: opening for
// writing, each write, truncate, sync, rename, link, remove, make and remove directory,
// set_modified. Reads, listings and locks pass (locks are this node's own files).
std::shared_ptr<FileSystem> fenced_file_system(std::shared_ptr<FileSystem> fs, std::shared_ptr<WriteFence> fence);

}  // namespace dirmail::store
