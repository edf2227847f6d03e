#pragma once
// A FileSystem on the local disk with the semantics of SmbFileSystem where they differ
// from PosixFileSystem (file_system.hpp), so the store's tests can check the smb paths
// without a server:
//   link()               always false: no hard links, the caller copies;
//   rename(replace)      remove `to`, then rename: not atomic; cut_next_replace() makes
//                        the next one stop after the remove, as a crash there would;
//   sync_directory()     nothing: the server commits names itself.
#include <atomic>
#include <memory>

#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::store::testing {

class SmbLikeFileSystem final : public FileSystem {
 public:
  std::string_view name() const override { return "smb-like"; }
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override { return local_.open(path, mode); }
  Result<std::optional<FileInfo>> stat(const std::string& path) override { return local_.stat(path); }
  Result<std::vector<DirectoryEntry>> list(const std::string& path) override { return local_.list(path); }
  Status rename(const std::string& from, const std::string& to, Rename mode) override {
    if (mode == Rename::no_replace) return local_.rename(from, to, Rename::no_replace);
    auto removed = local_.remove(to);
    if (!removed && removed.error().code != ErrorCode::not_found) return removed;
    if (cut_next_replace_.exchange(false)) {
      ++replaces_cut_;
      return make_error(ErrorCode::temporary_failure, "connection lost between remove and rename of " + from);
    }
    return local_.rename(from, to, Rename::no_replace);
  }
  Result<bool> link(const std::string&, const std::string&) override { return false; }
  Status remove(const std::string& path) override { return local_.remove(path); }
  Status make_directory(const std::string& path) override { return local_.make_directory(path); }
  Status remove_directory(const std::string& path) override { return local_.remove_directory(path); }
  Status sync_directory(const std::string&) override { return ok_status(); }
  Status set_modified(const std::string& path, std::int64_t unix_seconds) override {
    return local_.set_modified(path, unix_seconds);
  }
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override { return local_.lock(path); }

  // The next rename with Rename::replace removes `to` and fails before the rename.
  void cut_next_replace() { cut_next_replace_ = true; }
  int replaces_cut() const { return replaces_cut_; }

 private:
  PosixFileSystem local_;
  std::atomic<bool> cut_next_replace_{false};
  std::atomic<int> replaces_cut_{0};
};

}  // namespace dirmail::store::testing
