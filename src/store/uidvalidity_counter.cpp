#include "uidvalidity_counter.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::store {

Result<std::uint32_t> next_uidvalidity(const std::string& mailbox_root, std::uint32_t above) {
  std::string path = posix::join_path(mailbox_root, kUidvalidityFileName);
  auto fd = posix::open_file(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
  if (!fd) return std::move(fd).error();
  while (::flock(fd->get(), LOCK_EX) != 0) {
    if (errno != EINTR) return errno_error("lock", path, errno);
  }
  auto text = posix::pread_up_to(fd->get(), 0, 32, path);
  if (!text) return std::move(text).error();
  // A damaged counter reads as 0: the clock still keeps new values above old ones.
  auto last = parse_decimal(trim(*text), 10).value_or(0);
  if (last >= UINT32_MAX) last = 0;

  std::uint64_t value = static_cast<std::uint64_t>(std::time(nullptr));
  value = std::max<std::uint64_t>({value, last + 1, std::uint64_t{above} + 1});
  if (value >= UINT32_MAX) value = 1;  // past 2106, or a counter run out: start over
  std::string line = std::to_string(value) + "\n";
  DIRMAIL_TRY(posix::pwrite_all(fd->get(), line, 0, path));
  if (::ftruncate(fd->get(), static_cast<off_t>(line.size())) != 0) return errno_error("truncate", path, errno);
  DIRMAIL_TRY(posix::sync_file(fd->get(), path));
  return static_cast<std::uint32_t>(value);
}

}  // namespace dirmail::store
