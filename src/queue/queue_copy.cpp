#include "dirmail/queue/queue_copy.hpp"

#include <algorithm>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::queue {

Result<std::string> queue_bytes(Queue& queue, const Envelope& envelope, std::string_view bytes) {
  auto writer = queue.begin(envelope);
  if (!writer) return std::move(writer).error();
  DIRMAIL_TRY((*writer)->write(bytes));
  DIRMAIL_TRY((*writer)->commit());
  return (*writer)->id();
}

Result<std::string> queue_copy(Queue& queue, const Envelope& envelope, std::string_view prefix, int fd,
                               std::uint64_t offset, std::uint64_t length) {
  auto writer = queue.begin(envelope);
  if (!writer) return std::move(writer).error();
  DIRMAIL_TRY((*writer)->write(prefix));
  while (length > 0) {
    auto chunk = posix::pread_up_to(fd, offset, std::min<std::uint64_t>(length, 64 * 1024), "queue file");
    if (!chunk) return std::move(chunk).error();
    if (chunk->empty()) return make_error(ErrorCode::io_error, "queue file ends early");
    DIRMAIL_TRY((*writer)->write(*chunk));
    offset += chunk->size();
    length -= chunk->size();
  }
  DIRMAIL_TRY((*writer)->commit());
  return (*writer)->id();
}

}  // namespace dirmail::queue
