#include "folder_lock.hpp"

#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {

Result<FolderLock> FolderLock::acquire(FileSystem& fs, const std::string& folder_dir) {
  auto lock = fs.lock(posix::join_path(folder_dir, kLockFileName));
  if (!lock) {
    if (lock.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
    return std::move(lock).error();
  }
  return FolderLock(std::move(*lock));
}

}  // namespace dirmail::store
