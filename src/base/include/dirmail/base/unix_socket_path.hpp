#pragma once
// The address of a Unix domain socket at a path of any length. sun_path holds 107
// bytes, less than a data folder deep in a tree may need; a longer path is reached
// through a descriptor of its folder, as /proc/self/fd/N/NAME, which binds and connects
// to the same file.
#include <string>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::posix {

class UnixSocketPath {
 public:
  // Errors: the folder cannot be opened (not_found, permission_denied), or the file name
  // alone is too long.
  static Result<UnixSocketPath> make(const std::string& path);

  // What to give bind() or connect(): the path itself, or its /proc/self/fd form. Valid
  // while this object lives (it holds the folder's descriptor).
  const std::string& usable() const { return usable_; }

 private:
  UnixSocketPath(std::string usable, UniqueFd folder) : usable_(std::move(usable)), folder_(std::move(folder)) {}
  std::string usable_;
  UniqueFd folder_;
};

}  // namespace dirmail::posix
