#include "dirmail/net/session_control.hpp"

namespace dirmail::net {

awaitable<void> close_connection(OutputBuffer& out, Stream& stream) {
  (void)co_await out.flush(stream, std::chrono::seconds(10));  // closing anyway
  stream.close();
}

}  // namespace dirmail::net
