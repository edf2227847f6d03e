#include "posix_message_reader.hpp"

#include <unistd.h>

#include <cerrno>

namespace dirmail::store {

Result<std::size_t> PosixMessageReader::read(std::span<char> buf) {
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return errno_error("read", path_, errno);
  }
}

Status PosixMessageReader::skip(std::uint64_t count) {
  if (::lseek(fd_.get(), static_cast<off_t>(count), SEEK_CUR) < 0) return errno_error("lseek", path_, errno);
  return ok_status();
}

}  // namespace dirmail::store
