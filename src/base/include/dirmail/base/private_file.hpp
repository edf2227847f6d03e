#pragma once
// Files that hold secrets (the SMTP-AUTH/APOP secrets file and its key): read only
// when nobody but their owner can read or change them, written atomically with mode
// 0600 so that a crash leaves the old or the new file, never half of one.
#include <cstddef>
#include <string>

#include "dirmail/base/result.hpp"

namespace dirmail::posix {

// The content of `path`. permission_denied (with the chmod/chown that fixes it) when
// the file is not a regular file owned by this user or root, or when group or others
// have any access to it; limit_exceeded above max_size; the open error otherwise.
Result<std::string> read_private_file(const std::string& path, std::size_t max_size);

// Replaces `path` with `content` (mode 0600): a temporary file beside it, fsync,
// rename, fsync of the folder.
Status write_private_file(const std::string& path, const std::string& content);

}  // namespace dirmail::posix
