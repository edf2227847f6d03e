#pragma once
// A FileSystem on the local disk whose process "dies" after a given number of steps,
// so a test can stop a sequence of store operations at every point and look at what a
// restarted process finds. A step is one change on disk: a file created, a write (the
// one the crash hits is torn: half of it lands), a truncate, a file removed, a folder
// made or removed, and a rename, which with Rename::replace is two steps (remove, then
// rename) on smb semantics and one (atomic) on posix. From the crash on every call
// fails, reads too.
#include <climits>
#include <memory>

#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::store::testing {

class CrashingFileSystem final : public FileSystem {
 public:
  enum class Replace { atomic, remove_then_rename };

  CrashingFileSystem(Replace replace, int steps_before_crash)
      : replace_(replace), clock_(std::make_shared<Clock>(steps_before_crash)) {}

  // No crash at all: the restarted process.
  static std::shared_ptr<CrashingFileSystem> surviving(Replace replace) {
    return std::make_shared<CrashingFileSystem>(replace, INT_MAX);
  }

  bool crashed() const { return clock_->crashed; }

  std::string_view name() const override { return "crashing"; }

  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override {
    DIRMAIL_TRY(mode == OpenMode::read || mode == OpenMode::read_write ? clock_->alive() : clock_->step());
    auto file = local_.open(path, mode);
    if (!file) return std::move(file).error();
    return std::unique_ptr<File>(std::make_unique<CrashingFile>(std::move(*file), clock_));
  }
  Result<std::optional<FileInfo>> stat(const std::string& path) override {
    DIRMAIL_TRY(clock_->alive());
    return local_.stat(path);
  }
  Result<std::vector<DirectoryEntry>> list(const std::string& path) override {
    DIRMAIL_TRY(clock_->alive());
    return local_.list(path);
  }
  Status rename(const std::string& from, const std::string& to, Rename mode) override {
    if (mode == Rename::replace && replace_ == Replace::remove_then_rename) {
      DIRMAIL_TRY(clock_->step());
      auto removed = local_.remove(to);
      if (!removed && removed.error().code != ErrorCode::not_found) return removed;
      mode = Rename::no_replace;
    }
    DIRMAIL_TRY(clock_->step());
    return local_.rename(from, to, mode);
  }
  Result<bool> link(const std::string&, const std::string&) override { return false; }
  Status remove(const std::string& path) override {
    DIRMAIL_TRY(clock_->step());
    return local_.remove(path);
  }
  Status make_directory(const std::string& path) override {
    DIRMAIL_TRY(clock_->step());
    return local_.make_directory(path);
  }
  Status remove_directory(const std::string& path) override {
    DIRMAIL_TRY(clock_->step());
    return local_.remove_directory(path);
  }
  Status sync_directory(const std::string& path) override {
    DIRMAIL_TRY(clock_->alive());
    return local_.sync_directory(path);
  }
  Status set_modified(const std::string& path, std::int64_t unix_seconds) override {
    DIRMAIL_TRY(clock_->alive());
    return local_.set_modified(path, unix_seconds);
  }
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override {
    DIRMAIL_TRY(clock_->alive());
    return local_.lock(path);
  }

 private:
  struct Clock {
    explicit Clock(int steps) : left(steps) {}
    Status alive() const {
      if (crashed) return make_error(ErrorCode::io_error, "the process crashed");
      return ok_status();
    }
    // ok when the step may run; the crash when it is the one that does not.
    Status step() {
      DIRMAIL_TRY(alive());
      if (left == 0) {
        crashed = true;
        return alive();
      }
      --left;
      return ok_status();
    }
    int left;
    bool crashed = false;
  };

  class CrashingFile final : public File {
   public:
    CrashingFile(std::unique_ptr<File> file, std::shared_ptr<Clock> clock) : file_(std::move(file)), clock_(std::move(clock)) {}
    Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buf) override {
      DIRMAIL_TRY(clock_->alive());
      return file_->read_at(offset, buf);
    }
    Status write_at(std::uint64_t offset, std::string_view data) override {
      DIRMAIL_TRY(clock_->alive());
      if (auto go = clock_->step(); !go) {
        (void)file_->write_at(offset, data.substr(0, data.size() / 2));  // torn by the crash
        return go;
      }
      return file_->write_at(offset, data);
    }
    Status write_from(std::uint64_t offset, int fd, std::uint64_t fd_offset, std::uint64_t length) override {
      DIRMAIL_TRY(clock_->step());
      return file_->write_from(offset, fd, fd_offset, length);
    }
    Status truncate(std::uint64_t size) override {
      DIRMAIL_TRY(clock_->step());
      return file_->truncate(size);
    }
    Status sync() override {
      DIRMAIL_TRY(clock_->alive());
      return file_->sync();
    }
    Result<FileInfo> info() override {
      DIRMAIL_TRY(clock_->alive());
      return file_->info();
    }

   private:
    std::unique_ptr<File> file_;
    std::shared_ptr<Clock> clock_;
  };

  Replace replace_;
  std::shared_ptr<Clock> clock_;
  PosixFileSystem local_;
};

}  // namespace dirmail::store::testing
