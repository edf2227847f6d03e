#include "dirmail/net/read_deadline.hpp"

#include <tuple>

#include <boost/asio/as_tuple.hpp>

namespace dirmail::net {

struct ReadDeadline::Watch {
  tcp::socket* socket = nullptr;  // null once the reader is gone
  std::uint64_t generation = 0;   // which wait the armed timer belongs to
  bool expired = false;
};

ReadDeadline::ReadDeadline(tcp::socket& socket)
    : socket_(socket), timer_(socket.get_executor()), watch_(std::make_shared<Watch>()) {
  watch_->socket = &socket_;
}

ReadDeadline::~ReadDeadline() { watch_->socket = nullptr; }

void ReadDeadline::arm(std::chrono::steady_clock::duration timeout) {
  watch_->expired = false;
  auto generation = ++watch_->generation;
  timer_.expires_after(timeout);
  timer_.async_wait([watch = watch_, generation](const boost::system::error_code& ec) {
    if (ec || watch->socket == nullptr || watch->generation != generation) return;  // cancelled or stale
    watch->expired = true;
    boost::system::error_code ignored;
    watch->socket->cancel(ignored);
  });
}

void ReadDeadline::disarm() {
  ++watch_->generation;  // a handler already queued for this wait does nothing
  timer_.cancel();
}

awaitable<boost::system::error_code> ReadDeadline::wait_readable() {
  auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, asio::as_tuple(use_awaitable));
  co_return ec;
}

awaitable<Result<std::size_t>> ReadDeadline::read_some(std::string& buffer, std::size_t offset, std::size_t size,
                                                       std::chrono::steady_clock::duration timeout,
                                                       bool release_while_waiting) {
  arm(timeout);
  boost::system::error_code ec;
  std::size_t n = 0;
  if (release_while_waiting && offset == 0) {
    std::string().swap(buffer);  // an idle connection keeps no buffer
    ec = co_await wait_readable();
    if (!ec) buffer.resize(size);
  } else if (buffer.size() < size) {
    buffer.resize(size);
  }
  if (!ec) {
    std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(buffer.data() + offset, buffer.size() - offset),
                                                       asio::as_tuple(use_awaitable));
  }
  bool expired = watch_->expired;
  disarm();
  if (ec == asio::error::operation_aborted) {
    co_return make_error(ErrorCode::cancelled, expired ? "idle timeout" : "cancelled");
  }
  if (ec == asio::error::eof) co_return make_error(ErrorCode::not_found, "connection closed by client");
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  co_return n;
}

}  // namespace dirmail::net
