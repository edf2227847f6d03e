#include "dirmail/store/file_system.hpp"

#include <atomic>
#include <unistd.h>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::store {
namespace {

// "/a/b" for "/a/b/c", "smb://server/share" for "smb://server/share/c"; empty at the
// top ("/", or "smb://server" above a share).
std::string parent_of(const std::string& path) {
  auto end = path.find_last_not_of('/');
  if (end == std::string::npos) return {};
  auto slash = path.find_last_of('/', end);
  if (slash == std::string::npos) return {};
  auto parent_end = path.find_last_not_of('/', slash);
  if (parent_end == std::string::npos) return {};
  std::string parent = path.substr(0, parent_end + 1);
  if (parent.ends_with(':')) return {};  // "smb:" of "smb://server"
  if (parent.starts_with("smb://") && parent.find('/', 6) == std::string::npos) return {};  // above a share
  return parent;
}

}  // namespace

Status make_directories(FileSystem& fs, const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "empty directory path");
  auto here = fs.stat(path);
  if (!here) return std::move(here).error();
  if (*here) {
    if ((*here)->directory) return ok_status();
    return make_error(ErrorCode::already_exists, path + " exists and is not a directory");
  }
  std::string parent = parent_of(path);
  if (parent.empty()) return make_error(ErrorCode::not_found, "no such directory: " + path);
  DIRMAIL_TRY(make_directories(fs, parent));
  if (auto made = fs.make_directory(path); !made) {
    if (made.error().code != ErrorCode::already_exists) return made;
    auto now = fs.stat(path);  // another writer made it meanwhile
    if (now && *now && (*now)->directory) return ok_status();
    return made;
  }
  return fs.sync_directory(parent);
}

Result<std::optional<std::string>> read_small_file(FileSystem& fs, const std::string& path, std::size_t max_size) {
  auto file = fs.open(path, OpenMode::read);
  if (!file) {
    if (file.error().code == ErrorCode::not_found) return std::optional<std::string>();
    return std::move(file).error();
  }
  // One byte more than allowed tells a file at the limit from one past it.
  std::string data(max_size + 1, '\0');
  auto got = (*file)->read_at(0, data);
  if (!got) return std::move(got).error();
  if (*got > max_size) return make_error(ErrorCode::limit_exceeded, path + " is larger than " + std::to_string(max_size) + " bytes");
  data.resize(*got);
  return std::optional<std::string>(std::move(data));
}

Status replace_file(FileSystem& fs, const std::string& path, std::string_view data) {
  static std::atomic<std::uint64_t> counter{0};
  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  auto file = fs.open(tmp, OpenMode::create_new);
  if (!file) return std::move(file).error();
  auto written = (*file)->write_at(0, data);
  if (written) written = (*file)->sync();
  file->reset();
  if (written) {
    if (auto renamed = fs.rename(tmp, path, Rename::replace); !renamed) {
      // libsmbclient replaces by removing `path` and renaming again: when the second
      // step fails the new bytes in `tmp` are all that is left, so they stay.
      auto there = fs.stat(path);
      if (there && !*there)
        return make_error(ErrorCode::temporary_failure, renamed.error().message + " (the new contents are kept in " + tmp + ")");
      written = std::move(renamed);
    }
  }
  if (!written) {
    (void)fs.remove(tmp);
    return written;
  }
  std::string parent = parent_of(path);
  return parent.empty() ? ok_status() : fs.sync_directory(parent);
}

}  // namespace dirmail::store
