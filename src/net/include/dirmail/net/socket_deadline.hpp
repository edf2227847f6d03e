#pragma once
// A deadline for one socket operation at a time, at the cost of one timer per
// connection: when it passes, a plain handler cancels the socket's pending operation.
// (Asio's `op || timer` coroutine operators allocate a group of frames per call.)
#include <chrono>
#include <cstdint>
#include <memory>

#include "dirmail/net/asio.hpp"

namespace dirmail::net {

class SocketDeadline {
 public:
  explicit SocketDeadline(tcp::socket& socket);
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  void arm(std::chrono::steady_clock::duration timeout);
  // Stops the timer; true when it had fired (the operation was cancelled by it).
  bool disarm();

 private:
  struct Watch;  // shared with the timer's handler, which may run after we are gone
  asio::steady_timer timer_;
  std::shared_ptr<Watch> watch_;
};

}  // namespace dirmail::net
