#pragma once
// An APPEND message too large to keep in memory, on its way in: the framing writes the
// literal's bytes into an anonymous file of the spool folder as they arrive, and APPEND
// hands that file to the store. The file has no name, so a cut connection or a crash
// leaves nothing behind. A write failure (a full disk) is kept and the rest of the
// literal dropped, so that the session stays in step and APPEND answers NO.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::imap {

class SpooledMessage {
 public:
  // An empty spool file in `dir`, or in the system temp folder when `dir` is empty;
  // when none can be made, status() says why and write() drops what it is given.
  static SpooledMessage create(const std::string& dir);

  void write(std::string_view data);
  const Status& status() const { return status_; }
  int fd() const { return fd_.get(); }
  std::uint64_t size() const { return size_; }

 private:
  explicit SpooledMessage(std::string dir) : dir_(std::move(dir)) {}

  posix::UniqueFd fd_;
  std::string dir_;  // for error messages
  std::uint64_t size_ = 0;
  Status status_ = ok_status();
};

}  // namespace dirmail::imap
