#include "dirmail/base/posix_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace dirmail::posix {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out{dir};
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

Result<UniqueFd> open_file(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno_error("open", path, errno);
  return UniqueFd(fd);
}

Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Status pwrite_all(int fd, std::string_view data, std::uint64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return ok_status();
}

Result<std::string> pread_up_to(int fd, std::uint64_t offset, std::size_t size, const std::string& path) {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, out.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

Status sync_file(int fd, const std::string& path) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return errno_error("fsync", path, errno);
  }
  return ok_status();
}

Status sync_directory(const std::string& path) {
  auto fd = open_file(path, O_RDONLY | O_DIRECTORY);
  if (!fd) return std::move(fd).error();
  return sync_file(fd->get(), path);
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> list_directory(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return errno_error("open directory", path, errno);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    struct dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return errno_error("read directory", path, err);
  return names;
}

namespace {
std::string parent_of(const std::string& path) {
  auto end = path.find_last_not_of('/');
  if (end == std::string::npos) return "/";
  auto slash = path.find_last_of('/', end);
  if (slash == std::string::npos) return ".";
  auto parent_end = path.find_last_not_of('/', slash);
  if (parent_end == std::string::npos) return "/";
  return path.substr(0, parent_end + 1);
}
}  // namespace

Status ensure_directory(const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "empty directory path");
  if (is_directory(path)) return ok_status();
  std::string parent = parent_of(path);
  if (parent != path) DIRMAIL_TRY(ensure_directory(parent));
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST && is_directory(path)) return ok_status();  // another writer made it
    return errno_error("mkdir", path, errno);
  }
  return sync_directory(parent);
}

namespace {
Result<UniqueFd> open_anonymous_file(const std::string& dir) {
  int fd;
  do {
    fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  } while (fd < 0 && errno == EINTR);
  if (fd >= 0) return UniqueFd(fd);
  // Filesystems without O_TMPFILE refuse it with EOPNOTSUPP; kernels before 3.11 with EISDIR.
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    return errno_error("create temporary file in", dir, errno);
  std::string pattern = join_path(dir, "dirmail-XXXXXX");
  fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return errno_error("create temporary file in", dir, errno);
  UniqueFd file(fd);
  if (::unlink(pattern.c_str()) != 0) return errno_error("unlink", pattern, errno);
  return file;
}
}  // namespace

Result<UniqueFd> create_anonymous_file(const std::string& dir) {
  auto file = open_anonymous_file(dir);
  if (file || is_directory(dir)) return file;
  DIRMAIL_TRY(ensure_directory(dir));
  return open_anonymous_file(dir);
}

Status copy_range(int src, std::uint64_t offset, std::uint64_t length, int dst,
                  const std::string& dst_path) {
  // copy_file_range keeps the bytes in the kernel; it is refused across some
  // filesystems, where the pread/write loop below takes over.
  bool kernel_copy = true;
  while (length > 0 && kernel_copy) {
    loff_t in = static_cast<loff_t>(offset);
    ssize_t n = ::copy_file_range(src, &in, dst, nullptr, length, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
          errno == EBADF) {
        kernel_copy = false;
        break;
      }
      return errno_error("copy message to", dst_path, errno);
    }
    if (n == 0) return make_error(ErrorCode::io_error, "message source ended early while writing " + dst_path);
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::uint64_t>(n);
  }
  std::vector<char> buf(64 * 1024);
  while (length > 0) {
    std::size_t want = length < buf.size() ? static_cast<std::size_t>(length) : buf.size();
    ssize_t n = ::pread(src, buf.data(), want, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("read message source for", dst_path, errno);
    }
    if (n == 0) return make_error(ErrorCode::io_error, "message source ended early while writing " + dst_path);
    DIRMAIL_TRY(write_all(dst, std::string_view(buf.data(), static_cast<std::size_t>(n)), dst_path));
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::uint64_t>(n);
  }
  return ok_status();
}

}  // namespace dirmail::posix
