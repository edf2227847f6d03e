#pragma once
// FileSystem on the local kernel: a local disk, or a share the kernel has mounted.
// Locks are flock() on the file itself, so they hold across nodes only where the
// mounted file system carries them.
#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/file_system.hpp"

namespace dirmail::store {

class PosixFileSystem final : public FileSystem {
 public:
  std::string_view name() const override { return "posix"; }
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override;
  Result<std::optional<FileInfo>> stat(const std::string& path) override;
  Result<std::vector<DirectoryEntry>> list(const std::string& path) override;
  Status rename(const std::string& from, const std::string& to, Rename mode) override;
  Result<bool> link(const std::string& existing, const std::string& new_name) override;
  Status remove(const std::string& path) override;
  Status make_directory(const std::string& path) override;
  Status remove_directory(const std::string& path) override;
  Status sync_directory(const std::string& path) override;
  Status set_modified(const std::string& path, std::int64_t unix_seconds) override;
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override;
};

// A File over a descriptor already open (an unnamed local file); `name` is for errors.
std::unique_ptr<File> posix_file(posix::UniqueFd fd, std::string name);

}  // namespace dirmail::store
