#include "dirmail/net/output_buffer.hpp"


namespace dirmail::net {

awaitable<Status> OutputBuffer::flush(Stream& stream, std::chrono::steady_clock::duration timeout) {
  if (buf_.empty()) co_return ok_status();
  if (!deadline_) deadline_ = std::make_unique<SocketDeadline>(stream.socket());
  deadline_->arm(timeout);
  auto ec = co_await stream.write(asio::buffer(buf_));
  bool expired = deadline_->disarm();
  buf_.clear();
  if (buf_.capacity() > 65536) buf_.shrink_to_fit();  // a big RETR must not pin memory
  if (ec == asio::error::operation_aborted && expired) co_return make_error(ErrorCode::cancelled, "write timeout");
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  co_return ok_status();
}

}  // namespace dirmail::net
