#include "dirmail/net/session_control.hpp"

namespace dirmail::net {

awaitable<void> close_connection(OutputBuffer& out, tcp::socket& socket) {
  (void)co_await out.flush(socket, std::chrono::seconds(10));  // closing anyway
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace dirmail::net
