#pragma once
// Folder names (IMAP mailboxes) and the directory names that hold them.
//
// A folder name is UTF-8 with '/' between hierarchy levels: "Archive/2024". Every
// folder is ONE directory right below the mailbox root, whatever its level, named by a
// reversible encoding that can only give a single, harmless path component on Linux
// and on Windows/SMB shares: '%XX' (upper-case hex) for '%', '/', '.', the characters
// Windows refuses (\ : * ? " < > |), control characters, a space at either end, and
// the first letter of a Windows device name (CON, NUL, COM1, ...). So "Archive/2024"
// lives in "Archive%2F2024" and "a.b" in "a%2Eb". A directory name never contains '.',
// while every file the store keeps at the root does (IMS.CTL, dirmail.lock, ...): no
// folder can meet one of them. The inbox is the directory "INBOX".
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

inline constexpr std::string_view kInboxFolder = "INBOX";
inline constexpr std::size_t kMaxFolderNameBytes = 255;       // the whole name, UTF-8
inline constexpr std::size_t kMaxFolderDepth = 16;            // levels ("a/b" has 2)
inline constexpr std::size_t kMaxFolderDirectoryBytes = 255;  // a file name on ext4, NTFS and SMB

// "INBOX" in any case.
bool is_inbox_folder(std::string_view name);

// The name as the store keeps it: the first level "INBOX" in any case becomes "INBOX"
// ("inbox/x" is "INBOX/x"); anything else is unchanged. invalid_argument for an
// empty name or level, "." or ".." as a level, invalid UTF-8, control characters
// (C0, DEL, C1), more than kMaxFolderDepth levels, or a name over kMaxFolderNameBytes
// or whose directory name would be over kMaxFolderDirectoryBytes.
Result<std::string> canonical_folder_name(std::string_view name);

// The directory name of a canonical folder name.
std::string folder_directory_name(std::string_view canonical_name);

// The folder a directory below the root holds; nullopt for any name that
// folder_directory_name does not make (other files and folders: not ours).
std::optional<std::string> folder_from_directory_name(std::string_view directory_name);

}  // namespace dirmail::store
