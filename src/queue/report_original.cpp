// Reading the part of a queued message that a delivery report returns.
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/queue/delivery_report.hpp"

namespace dirmail::queue {
namespace {

// A header block is a few KiB; this bounds what a report quotes of a broken one.
constexpr std::uint64_t max_returned_header = 256 * 1024;

}  // namespace

Result<std::string> read_original_for_report(const Envelope& original, int fd, std::uint64_t offset,
                                             std::uint64_t size, std::uint64_t max_returned_size) {
  const bool whole = !iequals(original.dsn_ret, "HDRS") && size <= max_returned_size;
  const std::uint64_t want = whole ? size : std::min(size, max_returned_header);
  auto bytes = posix::pread_up_to(fd, offset, static_cast<std::size_t>(want), "queued message");
  if (!bytes) return make_error(ErrorCode::temporary_failure, bytes.error().message);
  if (whole) return std::move(*bytes);
  return std::string(header_block(*bytes));
}

}  // namespace dirmail::queue
