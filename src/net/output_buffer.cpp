#include "dirmail/net/output_buffer.hpp"

#include <boost/asio/as_tuple.hpp>

namespace dirmail::net {

awaitable<Status> OutputBuffer::flush(tcp::socket& socket, std::chrono::steady_clock::duration timeout) {
  if (buf_.empty()) co_return ok_status();
  if (!deadline_) deadline_ = std::make_unique<SocketDeadline>(socket);
  deadline_->arm(timeout);
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(buf_), asio::as_tuple(use_awaitable));
  (void)n;
  bool expired = deadline_->disarm();
  buf_.clear();
  if (buf_.capacity() > 65536) buf_.shrink_to_fit();  // a big RETR must not pin memory
  if (ec == asio::error::operation_aborted && expired) co_return make_error(ErrorCode::cancelled, "write timeout");
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  co_return ok_status();
}

}  // namespace dirmail::net
