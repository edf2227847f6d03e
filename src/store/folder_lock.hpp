#pragma once
// The exclusive lock of one folder: held while its index is read or appended and while
// messages move in or out of cur/, so UIDs are assigned in one order by every process
// (and, where the file system carries the lock, every node) sharing the store. It is
// FileSystem::lock of the folder's "dirmail.lock", which excludes threads of one
// process too.
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::store {

inline constexpr std::string_view kLockFileName = "dirmail.lock";

class FolderLock {
 public:
  // Blocks until the lock of `folder_dir` (its "dirmail.lock" file) is held.
  // not_found when the folder is not there, also when it was deleted or renamed while
  // we waited. The mailbox root has one too: the lock of its list of folders.
  static Result<FolderLock> acquire(FileSystem& fs, const std::string& folder_dir);

  FolderLock(FolderLock&&) = default;
  FolderLock& operator=(FolderLock&&) = default;
  ~FolderLock() = default;
  void release() { lock_.reset(); }

 private:
  explicit FolderLock(std::unique_ptr<FileLock> lock) : lock_(std::move(lock)) {}
  std::unique_ptr<FileLock> lock_;
};

}  // namespace dirmail::store
