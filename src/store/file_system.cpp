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

Result<bool> exists(FileSystem& fs, const std::string& path) {
  auto info = fs.stat(path);
  if (!info) return std::move(info).error();
  return info->has_value();
}

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

namespace {

// Where replace_file puts the new contents before the file at `path` goes (see there).
std::string pending_name(const std::string& path) { return path + ".new"; }

// The bytes of the regular file `path`; nullopt when there is none.
Result<std::optional<std::string>> read_whole(FileSystem& fs, const std::string& path, std::size_t max_size) {
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

}  // namespace

Result<std::optional<std::string>> read_small_file(FileSystem& fs, const std::string& path, std::size_t max_size) {
  // Twice: a replace running meanwhile can move the pending file to `path` between our
  // two looks.
  for (int round = 0; round < 2; ++round) {
    auto data = read_whole(fs, path, max_size);
    if (!data || *data) return data;
    auto pending = read_whole(fs, pending_name(path), max_size);
    if (!pending || *pending) return pending;
  }
  return std::optional<std::string>();
}

Status replace_file(FileSystem& fs, const std::string& path, std::string_view data) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string pending = pending_name(path);
  // A replace cut short between removing `path` and renaming the pending file (smb)
  // left the current contents in the pending file: they go into place first, so that
  // `path` is there while the pending name is reused below.
  auto there = fs.stat(path);
  if (!there) return std::move(there).error();
  if (!*there) {
    auto left = fs.stat(pending);
    if (!left) return std::move(left).error();
    if (*left) DIRMAIL_TRY(fs.rename(pending, path, Rename::replace));
  }

  std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  auto file = fs.open(tmp, OpenMode::create_new);
  if (!file) return std::move(file).error();
  auto written = (*file)->write_at(0, data);
  if (written) written = (*file)->sync();
  file->reset();
  // `path` stays whole while a pending file left by a crash is replaced.
  if (written) written = fs.rename(tmp, pending, Rename::replace);
  if (!written) {
    (void)fs.remove(tmp);
    return written;
  }
  if (auto renamed = fs.rename(pending, path, Rename::replace); !renamed) {
    auto now = fs.stat(path);
    if (now && !*now)  // removed first (smb): the new contents are read from the pending file
      return make_error(ErrorCode::temporary_failure, renamed.error().message + " (the new contents are kept in " + pending + ")");
    (void)fs.remove(pending);
    return renamed;
  }
  std::string parent = parent_of(path);
  return parent.empty() ? ok_status() : fs.sync_directory(parent);
}

}  // namespace dirmail::store
