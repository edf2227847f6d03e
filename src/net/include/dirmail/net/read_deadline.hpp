#pragma once
// Reads with an idle deadline (SocketDeadline: one timer per connection, no frames
// per read). While a session waits for a command it holds no read buffer at all: the
// buffer is taken only when data has arrived.
#include <chrono>
#include <cstddef>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"
#include "dirmail/net/socket_deadline.hpp"
#include "dirmail/net/stream.hpp"

namespace dirmail::net {

class ReadDeadline {
 public:
  explicit ReadDeadline(Stream& stream) : stream_(stream), deadline_(stream.socket()) {}
  ReadDeadline(const ReadDeadline&) = delete;
  ReadDeadline& operator=(const ReadDeadline&) = delete;

  // Waits until the stream is readable (with TLS: or OpenSSL holds data already), then reads some bytes into buffer[offset,
  // buffer.size()); when `release_while_waiting` is set and the buffer holds nothing
  // worth keeping, its memory is given back during the wait and taken again (with
  // `size` bytes) once data is there. Errors: cancelled on timeout or cancel(),
  // not_found at end of stream, io_error.
  awaitable<Result<std::size_t>> read_some(std::string& buffer, std::size_t offset, std::size_t size,
                                           std::chrono::steady_clock::duration timeout, bool release_while_waiting);

 private:
  Stream& stream_;
  SocketDeadline deadline_;
};

}  // namespace dirmail::net
