#pragma once
// Reads with an idle deadline at the cost of one timer per connection. A timer armed
// with a plain handler cancels the socket when the deadline passes (the `read ||
// timer` coroutine operators allocate frames for every read: kilobytes per idle
// connection). While a session waits for a command it holds no read buffer at all:
// the buffer is taken only when data has arrived.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::net {

class ReadDeadline {
 public:
  explicit ReadDeadline(tcp::socket& socket);
  ~ReadDeadline();
  ReadDeadline(const ReadDeadline&) = delete;
  ReadDeadline& operator=(const ReadDeadline&) = delete;

  // Waits until the socket is readable, then reads some bytes into buffer[offset,
  // buffer.size()); when `release_while_waiting` is set and the buffer holds nothing
  // worth keeping, its memory is given back during the wait and taken again (with
  // `size` bytes) once data is there. Errors: cancelled on timeout or cancel(),
  // not_found at end of stream, io_error.
  awaitable<Result<std::size_t>> read_some(std::string& buffer, std::size_t offset, std::size_t size,
                                           std::chrono::steady_clock::duration timeout, bool release_while_waiting);

 private:
  struct Watch;  // shared with the timer's handler, which may run after we are gone
  awaitable<boost::system::error_code> wait_readable();
  void arm(std::chrono::steady_clock::duration timeout);
  void disarm();

  tcp::socket& socket_;
  asio::steady_timer timer_;
  std::shared_ptr<Watch> watch_;
};

}  // namespace dirmail::net
