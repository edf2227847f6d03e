#include "dirmail/net/read_deadline.hpp"

#include <tuple>


namespace dirmail::net {

awaitable<Result<std::size_t>> ReadDeadline::read_some(std::string& buffer, std::size_t offset, std::size_t size,
                                                       std::chrono::steady_clock::duration timeout,
                                                       bool release_while_waiting) {
  deadline_.arm(timeout);
  boost::system::error_code ec;
  std::size_t n = 0;
  if (release_while_waiting && offset == 0) {
    std::string().swap(buffer);  // an idle connection keeps no buffer
    ec = co_await stream_.wait_readable();
    if (!ec) buffer.resize(size);
  } else if (buffer.size() < size) {
    buffer.resize(size);
  }
  if (!ec) {
    std::tie(ec, n) = co_await stream_.read_some(asio::buffer(buffer.data() + offset, buffer.size() - offset));
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
