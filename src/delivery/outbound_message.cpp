#include "dirmail/delivery/outbound_message.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace dirmail::delivery {

OutboundMessage outbound_message(const queue::QueuedMessage& queued, int fd, std::span<const std::size_t> indices) {
  const auto& env = queued.envelope;
  OutboundMessage m;
  m.sender = env.sender;
  m.eight_bit = env.body == "8BITMIME";
  m.smtputf8 = env.smtputf8;
  m.dsn_ret = env.dsn_ret;
  m.dsn_envid = env.dsn_envid;
  m.fd = fd;
  m.offset = queued.body_offset;
  m.length = queued.body_size;
  for (std::size_t i : indices) {
    if (i >= env.recipients.size()) continue;
    OutboundRecipient r{env.recipients[i], {}, {}};
    if (i < env.recipient_dsn.size()) {
      r.notify = env.recipient_dsn[i].notify;
      r.orcpt = env.recipient_dsn[i].orcpt;
    }
    m.recipients.push_back(std::move(r));
  }
  return m;
}

Result<bool> contains_8bit(int fd, std::uint64_t offset, std::uint64_t length) {
  std::vector<unsigned char> buf(64 * 1024);
  while (length > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorCode::temporary_failure, std::string("reading the message: ") + std::strerror(errno));
    if (n == 0) return make_error(ErrorCode::temporary_failure, "reading the message: file shorter than its record");
    for (ssize_t i = 0; i < n; ++i)
      if (buf[static_cast<std::size_t>(i)] & 0x80) return true;
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::uint64_t>(n);
  }
  return false;
}

}  // namespace dirmail::delivery
