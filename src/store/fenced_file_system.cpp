// A FileSystem that asks a WriteFence before each change (write_fence.hpp).
#include "dirmail/store/write_fence.hpp"

namespace dirmail::store {
namespace {

// One write under the fence: begin_write before it, end_write after it.
template <typename Call>
auto fenced(WriteFence& fence, Call&& call) -> decltype(call()) {
  DIRMAIL_TRY(fence.begin_write());
  auto result = call();
  fence.end_write();
  return result;
}

class FencedFile final : public File {
 public:
  FencedFile(std::unique_ptr<File> file, std::shared_ptr<WriteFence> fence)
      : file_(std::move(file)), fence_(std::move(fence)) {}

  Result<std::size_t> read_at(std::uint64_t offset, std::span<char> buf) override { return file_->read_at(offset, buf); }
  Status write_at(std::uint64_t offset, std::string_view data) override {
    return fenced(*fence_, [&] { return file_->write_at(offset, data); });
  }
  Status write_from(std::uint64_t offset, int fd, std::uint64_t fd_offset, std::uint64_t length) override {
    return fenced(*fence_, [&] { return file_->write_from(offset, fd, fd_offset, length); });
  }
  Status truncate(std::uint64_t size) override {
    return fenced(*fence_, [&] { return file_->truncate(size); });
  }
  // A sync after the fence closed would make durable what a node no longer owns.
  Status sync() override {
    return fenced(*fence_, [&] { return file_->sync(); });
  }
  Result<FileInfo> info() override { return file_->info(); }

 private:
  std::unique_ptr<File> file_;
  std::shared_ptr<WriteFence> fence_;
};

class FencedFileSystem final : public FileSystem {
 public:
  FencedFileSystem(std::shared_ptr<FileSystem> fs, std::shared_ptr<WriteFence> fence)
      : fs_(std::move(fs)), fence_(std::move(fence)) {}

  std::string_view name() const override { return fs_->name(); }

  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override {
    if (mode == OpenMode::read) return fs_->open(path, mode);
    auto file = fenced(*fence_, [&] { return fs_->open(path, mode); });
    if (!file) return std::move(file).error();
    return std::unique_ptr<File>(std::make_unique<FencedFile>(std::move(*file), fence_));
  }
  Result<std::optional<FileInfo>> stat(const std::string& path) override { return fs_->stat(path); }
  Result<std::vector<DirectoryEntry>> list(const std::string& path) override { return fs_->list(path); }
  Status rename(const std::string& from, const std::string& to, Rename mode) override {
    return fenced(*fence_, [&] { return fs_->rename(from, to, mode); });
  }
  Result<bool> link(const std::string& existing, const std::string& new_name) override {
    return fenced(*fence_, [&] { return fs_->link(existing, new_name); });
  }
  Status remove(const std::string& path) override {
    return fenced(*fence_, [&] { return fs_->remove(path); });
  }
  Status make_directory(const std::string& path) override {
    return fenced(*fence_, [&] { return fs_->make_directory(path); });
  }
  Status remove_directory(const std::string& path) override {
    return fenced(*fence_, [&] { return fs_->remove_directory(path); });
  }
  Status sync_directory(const std::string& path) override {
    return fenced(*fence_, [&] { return fs_->sync_directory(path); });
  }
  Status set_modified(const std::string& path, std::int64_t unix_seconds) override {
    return fenced(*fence_, [&] { return fs_->set_modified(path, unix_seconds); });
  }
  Result<std::unique_ptr<FileLock>> lock(const std::string& path) override { return fs_->lock(path); }

 private:
  std::shared_ptr<FileSystem> fs_;
  std::shared_ptr<WriteFence> fence_;
};

}  // namespace

std::shared_ptr<FileSystem> fenced_file_system(std::shared_ptr<FileSystem> fs, std::shared_ptr<WriteFence> fence) {
  return std::make_shared<FencedFileSystem>(std::move(fs), std::move(fence));
}

}  // namespace dirmail::store
