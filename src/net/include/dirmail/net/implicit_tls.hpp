#pragma once
// Implicit-TLS listeners (SMTPS 465, POP3S 995, IMAPS 993; "ADDRESS PORT*" entries):
// the TLS handshake comes first, within a time limit, and only then the session and
// its greeting. A failed or timed-out handshake closes the connection.
#include <chrono>
#include <memory>
#include <string>

#include "dirmail/net/listener.hpp"
#include "dirmail/net/tls_context.hpp"

namespace dirmail::net {

// Parameters are taken by value: the coroutine may outlive the listener that called it.
awaitable<void> run_after_tls_handshake(SessionHandler session, std::shared_ptr<const TlsContext> context,
                                        std::chrono::steady_clock::duration timeout, std::string service,
                                        Connection connection);

}  // namespace dirmail::net
