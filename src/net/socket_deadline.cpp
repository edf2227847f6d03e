#include "dirmail/net/socket_deadline.hpp"

namespace dirmail::net {

struct SocketDeadline::Watch {
  tcp::socket* socket = nullptr;  // null once the deadline is gone
  std::uint64_t generation = 0;   // which arm() the running timer belongs to
  bool expired = false;
};

SocketDeadline::SocketDeadline(tcp::socket& socket)
    : timer_(socket.get_executor()), watch_(std::make_shared<Watch>()) {
  watch_->socket = &socket;
}

SocketDeadline::~SocketDeadline() { watch_->socket = nullptr; }

void SocketDeadline::arm(std::chrono::steady_clock::duration timeout) {
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

bool SocketDeadline::disarm() {
  ++watch_->generation;  // a handler already queued for this arm() does nothing
  timer_.cancel();
  return watch_->expired;
}

}  // namespace dirmail::net
