#include "mailbox_layout.hpp"

#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/folder_names.hpp"

namespace dirmail::store {
namespace {

// false when nothing or a file is there; an error when the file system cannot say (a
// share that cannot be reached is not a missing folder).
Result<bool> is_directory(FileSystem& fs, const std::string& path) {
  auto info = fs.stat(path);
  if (!info) return std::move(info).error();
  return *info && (*info)->directory;
}

// mkdir of one level below an existing folder; not_found when the folder is gone.
Status make_subdirectory(FileSystem& fs, const std::string& folder_dir, std::string_view name, bool& made) {
  std::string path = posix::join_path(folder_dir, name);
  auto status = fs.make_directory(path);
  if (status) {
    made = true;
    return ok_status();
  }
  if (status.error().code == ErrorCode::already_exists) {
    auto there = fs.stat(path);
    if (!there) return std::move(there).error();
    if (*there && (*there)->directory) return ok_status();
    // Gone again: the folder was deleted or renamed since we looked.
    if (!*there) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
    return make_error(ErrorCode::io_error, path + " is in the way and is not a directory");
  }
  if (status.error().code == ErrorCode::not_found) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
  return status;
}

}  // namespace

Status validate_root(const std::string& mailbox_root) {
  if (mailbox_root.empty()) return make_error(ErrorCode::invalid_argument, "mailbox root is empty");
  if (mailbox_root.size() > 4096 || mailbox_root.find('\0') != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "mailbox root is not a valid path");
  return ok_status();
}

Result<FolderLocation> locate_folder(const std::string& mailbox_root, std::string_view folder) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  auto name = canonical_folder_name(folder);
  if (!name) return std::move(name).error();
  std::string dir = posix::join_path(mailbox_root, folder_directory_name(*name));
  return FolderLocation{std::move(*name), std::move(dir)};
}

Status ensure_directory(FileSystem& fs, const std::string& path) {
  auto made = make_directories(fs, path);
  if (!made && made.error().code == ErrorCode::already_exists)
    return make_error(ErrorCode::io_error, path + " cannot be made: a file is in the way");
  return made;
}

Status ensure_folder(FileSystem& fs, const std::string& folder_dir, bool create_dir) {
  auto cur = is_directory(fs, posix::join_path(folder_dir, "cur"));
  if (!cur) return std::move(cur).error();
  if (*cur) {
    auto tmp = is_directory(fs, posix::join_path(folder_dir, "tmp"));
    if (!tmp) return std::move(tmp).error();
    if (*tmp) return ok_status();
  }
  if (create_dir) {
    DIRMAIL_TRY(ensure_directory(fs, folder_dir));
  } else {
    auto there = is_directory(fs, folder_dir);
    if (!there) return std::move(there).error();
    if (!*there) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
  }
  bool made = false;
  for (std::string_view sub : {"tmp", "new", "cur"}) DIRMAIL_TRY(make_subdirectory(fs, folder_dir, sub, made));
  return made ? fs.sync_directory(folder_dir) : ok_status();
}

Result<bool> is_folder(FileSystem& fs, const std::string& folder_dir) {
  return is_directory(fs, posix::join_path(folder_dir, "cur"));
}

Result<std::map<std::string, std::string>> folders_at(FileSystem& fs, const std::string& mailbox_root) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  std::map<std::string, std::string> folders;
  auto entries = fs.list(mailbox_root);
  if (!entries) {
    if (entries.error().code == ErrorCode::not_found) return folders;  // no mailbox yet
    return std::move(entries).error();
  }
  for (const auto& entry : *entries) {
    if (!entry.directory) continue;
    auto name = folder_from_directory_name(entry.name);
    if (!name) continue;  // not a folder name: not ours
    std::string dir = posix::join_path(mailbox_root, entry.name);
    auto folder = is_folder(fs, dir);
    if (!folder) return std::move(folder).error();
    if (*folder) folders.emplace(std::move(*name), std::move(dir));
  }
  return folders;
}

Status sync_cur_directory(FileSystem& fs, const std::string& cur_dir) {
  auto synced = fs.sync_directory(cur_dir);
  if (!synced && synced.error().code == ErrorCode::not_found) return ok_status();
  return synced;
}

namespace {

Status remove_directory_tree(FileSystem& fs, const std::string& path) {
  auto entries = fs.list(path);
  if (!entries) return std::move(entries).error();
  for (const auto& entry : *entries) {
    std::string child = posix::join_path(path, entry.name);
    // The listing tells directories from links, so a link is removed, not followed.
    DIRMAIL_TRY(entry.directory ? remove_directory_tree(fs, child) : fs.remove(child));
  }
  return fs.remove_directory(path);
}

}  // namespace

Status remove_tree(FileSystem& fs, const std::string& path) {
  auto info = fs.stat(path);  // never follows a link at `path`
  if (!info) return std::move(info).error();
  if (!*info) return ok_status();
  return (*info)->directory ? remove_directory_tree(fs, path) : fs.remove(path);
}

}  // namespace dirmail::store
