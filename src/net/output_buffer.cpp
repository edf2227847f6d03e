#include "dirmail/net/output_buffer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace dirmail::net {

awaitable<Status> OutputBuffer::flush(tcp::socket& socket, std::chrono::steady_clock::duration timeout) {
  using namespace asio::experimental::awaitable_operators;
  if (buf_.empty()) co_return ok_status();
  asio::steady_timer timer(socket.get_executor());
  timer.expires_after(timeout);
  auto result = co_await (asio::async_write(socket, asio::buffer(buf_), asio::as_tuple(use_awaitable)) ||
                          timer.async_wait(asio::as_tuple(use_awaitable)));
  buf_.clear();
  if (buf_.capacity() > 65536) buf_.shrink_to_fit();  // a big RETR must not pin memory
  if (result.index() == 1) co_return make_error(ErrorCode::cancelled, "write timeout");
  auto [ec, n] = std::get<0>(result);
  (void)n;
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  co_return ok_status();
}

}  // namespace dirmail::net
