#pragma once
// Where things are in a mailbox (on any FileSystem):
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
#include "dirmail/store/file_system.hpp"

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

// make_directories() for the mailbox root and folders: a file in the way is an
// io_error (the mailbox is damaged), not already_exists (a folder that exists).
Status ensure_directory(FileSystem& fs, const std::string& path);
// Makes the folder's tmp/, new/ and cur/. With `create_dir` also the folder's own
// directory and the root; without, not_found when the folder is not there (a folder
// deleted by another session is never brought back by a reader). Any other error when
// the file system cannot say (a share out of reach): never taken for "not there".
Status ensure_folder(FileSystem& fs, const std::string& folder_dir, bool create_dir);
// A directory with cur/ in it: a folder, not something else that sits at the root. An
// error when the file system cannot say.
Result<bool> is_folder(FileSystem& fs, const std::string& folder_dir);

// The folders at the root: canonical name -> directory path, in byte order of the
// names. INBOX is among them only when its directory exists.
Result<std::map<std::string, std::string>> folders_at(FileSystem& fs, const std::string& mailbox_root);

// Makes the entries of a folder's cur/ durable after its lock is released (deliveries
// and copies do, so other writers need not wait for it). The folder may be gone by
// then: rename_folder() syncs the cur/ of every folder it moves under their locks, and
// a deleted folder's messages need not survive.
Status sync_cur_directory(FileSystem& fs, const std::string& cur_dir);

// Removes a directory tree that is no longer a folder (never following links); nothing
// there is not an error.
Status remove_tree(FileSystem& fs, const std::string& path);

}  // namespace dirmail::store
