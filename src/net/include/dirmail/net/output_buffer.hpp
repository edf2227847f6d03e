#pragma once
// Replies are collected here and written in one go, so pipelined commands get their
// replies in one packet (RFC 2920) and a slow reader cannot hold a session forever.
#include <chrono>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::net {

class OutputBuffer {
 public:
  void append(std::string_view s) { buf_.append(s); }
  std::size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  // Writes everything; cancelled on timeout, io_error when the peer is gone.
  awaitable<Status> flush(tcp::socket& socket, std::chrono::steady_clock::duration timeout);

 private:
  std::string buf_;
};

}  // namespace dirmail::net
