#pragma once
// The exclusive lock of one folder: held while its index is read or appended and while
// messages move in or out of cur/, so UIDs are assigned in one order by every process
// and node sharing the store. flock() is per open file, so threads of one process
// exclude each other too.
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {

class FolderLock {
 public:
  // Blocks until the lock of `folder_dir` (its "dirmail.lock" file) is held.
  // not_found when the folder is not there, also when it was deleted or renamed while
  // we waited. The mailbox root has one too: the lock of its list of folders.
  static Result<FolderLock> acquire(const std::string& folder_dir);

  FolderLock(FolderLock&&) = default;
  FolderLock& operator=(FolderLock&&) = default;
  ~FolderLock() = default;  // closing the file releases the lock
  void release() { fd_.reset(); }

 private:
  explicit FolderLock(posix::UniqueFd fd) : fd_(std::move(fd)) {}
  posix::UniqueFd fd_;
};

}  // namespace dirmail::store
