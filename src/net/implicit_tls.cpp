#include "dirmail/net/implicit_tls.hpp"

#include "dirmail/base/log.hpp"

namespace dirmail::net {

awaitable<void> run_after_tls_handshake(SessionHandler session, std::shared_ptr<const TlsContext> context,
                                        std::chrono::steady_clock::duration timeout, std::string service,
                                        Connection connection) {
  Status started = make_error(ErrorCode::internal, "no TLS certificate configured");
  if (context) started = co_await connection.stream.start_tls(*context, timeout);
  if (!started) {
    log::LogLine(log::service(service), log::Record::session)
        .with("session", connection.session_id)
        .with("client", connection.peer_address)
        .with("error", started.error().message)
        .info("TLS handshake failed; closing");
    connection.stream.close();
    co_return;
  }
  co_await session(std::move(connection));
}

}  // namespace dirmail::net
