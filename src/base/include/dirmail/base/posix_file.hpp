#pragma once
// Thin, error-as-value wrappers over the POSIX calls the store and the queue need for
// durable writes: every failure names the operation and the path.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::posix {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// A full disk or quota is temporary (the sender retries); any other errno is an I/O error.

std::string join_path(std::string_view dir, std::string_view name);

Result<UniqueFd> open_file(const std::string& path, int flags, mode_t mode = 0600);
Status write_all(int fd, std::string_view data, const std::string& path);
Status pwrite_all(int fd, std::string_view data, std::uint64_t offset, const std::string& path);
// Reads up to `size` bytes at `offset`; fewer only at the end of the file.
Result<std::string> pread_up_to(int fd, std::uint64_t offset, std::size_t size, const std::string& path);
Status sync_file(int fd, const std::string& path);
Status sync_directory(const std::string& path);
// Creates `path` and any missing parents; each new directory's parent is synced so
// the new entry survives a crash.
Status ensure_directory(const std::string& path);
bool is_directory(const std::string& path);
// The names in a directory, without "." and "..".
Result<std::vector<std::string>> list_directory(const std::string& path);
// A new empty file in `dir` (created when missing) with no name: O_TMPFILE, or where the
// filesystem lacks it a unique name unlinked at once. Closing it frees its space, so a
// crash or a cut connection leaves nothing behind.
Result<UniqueFd> create_anonymous_file(const std::string& dir);
// Copies `length` bytes of `src` from `offset` to the current position of `dst`.
Status copy_range(int src, std::uint64_t offset, std::uint64_t length, int dst,
                  const std::string& dst_path);

}  // namespace dirmail::posix
