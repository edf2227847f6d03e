#include "dirmail/net/read_deadline.hpp"

#include <tuple>

#include <boost/asio/as_tuple.hpp>

namespace dirmail::net {

awaitable<boost::system::error_code> ReadDeadline::wait_readable() {
  auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, asio::as_tuple(use_awaitable));
  co_return ec;
}

awaitable<Result<std::size_t>> ReadDeadline::read_some(std::string& buffer, std::size_t offset, std::size_t size,
                                                       std::chrono::steady_clock::duration timeout,
                                                       bool release_while_waiting) {
  deadline_.arm(timeout);
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
  bool expired = deadline_.disarm();
  if (ec == asio::error::operation_aborted) {
    co_return make_error(ErrorCode::cancelled, expired ? "idle timeout" : "cancelled");
  }
  if (ec == asio::error::eof) co_return make_error(ErrorCode::not_found, "connection closed by client");
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  co_return n;
}

}  // namespace dirmail::net
