#pragma once
// A session's side of shutdown. SIGTERM cancels a session that is waiting for its
// next command; a session that is working (a DATA transfer, a FETCH) finishes that
// work and stops before it reads again.
#include "dirmail/net/asio.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/session_set.hpp"

namespace dirmail::net {

class SessionControl {
 public:
  SessionControl(SessionSet& set, tcp::socket& socket)
      : socket_(socket), handle_(set.add(socket.get_executor(), [this] { request_stop(); })) {}
  SessionControl(const SessionControl&) = delete;
  SessionControl& operator=(const SessionControl&) = delete;

  bool stop_requested() const { return stop_requested_; }
  // Call before waiting for a command: false means stop instead of waiting.
  bool begin_wait() {
    if (stop_requested_) return false;
    waiting_ = true;
    return true;
  }
  void end_wait() { waiting_ = false; }

 private:
  void request_stop() {
    stop_requested_ = true;
    boost::system::error_code ec;
    if (waiting_) socket_.cancel(ec);
  }

  tcp::socket& socket_;
  bool waiting_ = false;
  bool stop_requested_ = false;
  SessionSet::Handle handle_;  // last: registered once the flags exist
};

// Sends what is left in `out` (briefly: the peer may be gone) and closes the connection.
awaitable<void> close_connection(OutputBuffer& out, Stream& stream);

}  // namespace dirmail::net
