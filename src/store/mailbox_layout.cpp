#include "mailbox_layout.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/store/folder_names.hpp"

namespace dirmail::store {
namespace {

// mkdir of one level below an existing folder; not_found when the folder is gone.
Status make_subdirectory(const std::string& folder_dir, std::string_view name, bool& made) {
  std::string path = posix::join_path(folder_dir, name);
  if (::mkdir(path.c_str(), 0700) == 0) {
    made = true;
    return ok_status();
  }
  if (errno == EEXIST && posix::is_directory(path)) return ok_status();
  if (errno == ENOENT) return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
  return errno_error("mkdir", path, errno);
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

Status ensure_folder(const std::string& folder_dir, bool create_dir) {
  std::string cur = posix::join_path(folder_dir, "cur");
  if (posix::is_directory(cur) && posix::is_directory(posix::join_path(folder_dir, "tmp"))) return ok_status();
  if (create_dir) {
    DIRMAIL_TRY(posix::ensure_directory(folder_dir));
  } else if (!posix::is_directory(folder_dir)) {
    return make_error(ErrorCode::not_found, "no such folder: " + folder_dir);
  }
  bool made = false;
  for (std::string_view sub : {"tmp", "new", "cur"}) DIRMAIL_TRY(make_subdirectory(folder_dir, sub, made));
  return made ? posix::sync_directory(folder_dir) : ok_status();
}

bool is_folder(const std::string& folder_dir) { return posix::is_directory(posix::join_path(folder_dir, "cur")); }

Result<std::map<std::string, std::string>> folders_at(const std::string& mailbox_root) {
  DIRMAIL_TRY(validate_root(mailbox_root));
  std::map<std::string, std::string> folders;
  if (!posix::is_directory(mailbox_root)) return folders;
  auto names = posix::list_directory(mailbox_root);
  if (!names) return std::move(names).error();
  for (const auto& entry : *names) {
    auto name = folder_from_directory_name(entry);
    if (!name) continue;  // not a folder name: not ours
    std::string dir = posix::join_path(mailbox_root, entry);
    if (is_folder(dir)) folders.emplace(std::move(*name), std::move(dir));
  }
  return folders;
}

Result<std::optional<std::string>> read_small_file(const std::string& path, std::size_t max_size) {
  // O_NONBLOCK: a FIFO put there cannot hang delivery; O_NOFOLLOW: no link out of the mailbox.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>{};
    return errno_error("open", path, errno);
  }
  posix::UniqueFd owned(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::invalid_argument, path + " is not a regular file");
  auto text = posix::pread_up_to(fd, 0, max_size + 1, path);
  if (!text) return std::move(text).error();
  if (text->size() > max_size)
    return make_error(ErrorCode::limit_exceeded, fmt::format("{} is larger than {} bytes", path, max_size));
  return std::optional<std::string>(std::move(*text));
}

}  // namespace dirmail::store
