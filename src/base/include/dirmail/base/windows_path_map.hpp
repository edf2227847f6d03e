#pragma once
// Windows paths that reach the store from the directory (homeDirectory: "\\fs1\home\alice",
// "D:\home\alice", "H:") or from settings ("\\nas\mail"), and the admin's table that
// says where each prefix is on this server (store.path_map): a folder where the share
// is mounted ("\\fs1\home = /mnt/home"), or another share.
//
// A drive letter is a per-logon mapping on Windows: services cannot use one, so without
// an entry of the table it is refused with a message saying what to do instead.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail {

// "\\server\share..." or "//server/share..." (either separator).
bool is_unc_path(std::string_view path);
// "H:", "H:\..." or "H:/...".
bool is_drive_path(std::string_view path);

class WindowsPathMap {
 public:
  struct Entry {
    std::string prefix;  // with '\' separators, no trailing one: "\\fs1\home", "H:"
    std::string target;  // as given: "/mnt/home", "\\nas\home"
  };

  // Entries "PREFIX = TARGET" (spaces around '=' ignored). The prefix is a UNC path of at
  // least server and share, or a drive letter with an optional folder; the target an
  // absolute local path or a UNC path. invalid_argument naming the entry otherwise.
  static Result<WindowsPathMap> parse(const std::vector<std::string>& entries);

  // `path` with the longest matching prefix (whole components, case-insensitive, '/'
  // and '\' alike) replaced by its target, every '\' turned into '/'. nullopt when no
  // entry matches.
  std::optional<std::string> map(std::string_view path) const;

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

}  // namespace dirmail
