#include "locked_folder.hpp"

namespace dirmail::store {

Result<LockedFolder> lock_folder(FileSystem& fs, FolderCache& folders, const std::string& folder_dir, bool create) {
  auto entry = folders.get(folder_dir);
  std::unique_lock guard(entry->mu);
  auto file_lock = FolderLock::acquire(fs, folder_dir);
  if (!file_lock) return std::move(file_lock).error();
  auto log = IndexLog::open(fs, folder_dir, entry->index, create);
  if (!log) return std::move(log).error();
  return LockedFolder{std::move(entry), std::move(guard), std::move(*file_lock), std::move(*log)};
}

}  // namespace dirmail::store
