#pragma once
// Files the cluster engine reads or its hooks write (keepalived.conf, the role file),
// replaced whole: a reader sees the old or the new content, never half of one. The
// hooks run as root in folders another user may own, so the temporary file is created
// fresh (O_EXCL) and never through a planted link (O_NOFOLLOW).
#include <sys/types.h>

#include <string>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

// A temporary file beside `path` with `mode` (whatever the umask), fsync, rename over
// `path`, fsync of the folder.
Status replace_file(const std::string& path, const std::string& content, mode_t mode);

}  // namespace dirmail::cluster
