#pragma once
// Replies are collected here and written in one go, so pipelined commands get their
// replies in one packet (RFC 2920) and a slow reader cannot hold a session forever.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"
#include "dirmail/net/socket_deadline.hpp"
#include "dirmail/net/stream.hpp"

namespace dirmail::net {

class OutputBuffer {
 public:
  void append(std::string_view s) { buf_.append(s); }
  std::size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  // Writes everything; cancelled on timeout, io_error when the peer is gone. One
  // buffer serves one stream.
  awaitable<Status> flush(Stream& stream, std::chrono::steady_clock::duration timeout);
  // Gives back the memory a large reply grew (an idle session should hold none).
  void release() { std::string().swap(buf_); }

 private:
  std::string buf_;
  std::unique_ptr<SocketDeadline> deadline_;  // made at the first flush
};

}  // namespace dirmail::net
