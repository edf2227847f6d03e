#include "spooled_message.hpp"

#include <cstdlib>

namespace dirmail::imap {

SpooledMessage SpooledMessage::create(const std::string& dir) {
  std::string where = dir;
  if (where.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    where = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  SpooledMessage spool(where);
  auto fd = posix::create_anonymous_file(where);
  if (fd) spool.fd_ = std::move(*fd);
  else spool.status_ = std::move(fd).error();
  return spool;
}

void SpooledMessage::write(std::string_view data) {
  if (!status_) return;
  status_ = posix::write_all(fd_.get(), data, dir_);
  if (status_) size_ += data.size();
}

}  // namespace dirmail::imap
