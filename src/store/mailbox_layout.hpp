#pragma once
// Where things are in a posix mailbox:
//   <root>/<folder directory>/     one per folder, at any level, named by
//                                  folder_directory_name() ("INBOX", "Archive%2F2024")
//   <root>/dirmail.lock            the root's FolderLock: held while folders are
//                                  created, renamed or deleted and subscriptions written
//   <root>/dirmail.uidvalidity     the UIDVALIDITY counter (uidvalidity_counter.hpp)
//   <root>/dirmail.subscriptions   the subscribed names, one per line
//   <root>/dirmail.lease           the maildrop lease (POP3): holder and expiry
//   <root>/dirmail.new-folder/     a folder being made; renamed into place when whole
//   <root>/dirmail.deleted-<n>/    a deleted folder whose files are being removed
//   <root>/IMS.CTL, ...            the user files (valid_user_file_name)
// The store's own names all have a '.' in them; folder directories never do.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

inline constexpr std::string_view kSubscriptionsFileName = "dirmail.subscriptions";
inline constexpr std::size_t kMaxSubscriptionsBytes = 256 * 1024;  // 1000 names of 255 bytes
inline constexpr std::string_view kNewFolderDirName = "dirmail.new-folder";
inline constexpr std::string_view kLeaseFileName = "dirmail.lease";
inline constexpr std::string_view kDeletedFolderPrefix = "dirmail.deleted-";

struct FolderLocation {
  std::string name;  // canonical (canonical_folder_name)
  std::string dir;   // <root>/<folder directory>
};

Status validate_root(const std::string& mailbox_root);
// invalid_argument for a bad root or folder name.
Result<FolderLocation> locate_folder(const std::string& mailbox_root, std::string_view folder);

// Makes the folder's tmp/, new/ and cur/. With `create_dir` also the folder's own
// directory and the root; without, not_found when the folder is not there (a folder
// deleted by another session is never brought back by a reader).
Status ensure_folder(const std::string& folder_dir, bool create_dir);
// A directory with cur/ in it: a folder, not something else that sits at the root.
bool is_folder(const std::string& folder_dir);

// The folders at the root: canonical name -> directory path, in byte order of the
// names. INBOX is among them only when its directory exists.
Result<std::map<std::string, std::string>> folders_at(const std::string& mailbox_root);

// The bytes of a small regular file (never through a symbolic link, never blocking on
// a FIFO); nullopt when it does not exist, limit_exceeded past max_size.
Result<std::optional<std::string>> read_small_file(const std::string& path, std::size_t max_size);

}  // namespace dirmail::store
