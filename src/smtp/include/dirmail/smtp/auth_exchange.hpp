#pragma once
// The SMTP AUTH exchange (RFC 4954) for the password mechanisms PLAIN and LOGIN:
// prompts with 334, reads the client's base64 responses, decodes the credentials.
// Checking them is the caller's job (auth::PasswordVerifier). And the GSSAPI
// exchange (RFC 4752), which ends with an authenticated Kerberos principal.
#include <chrono>
#include <string>
#include <string_view>

#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"

namespace dirmail::smtp {

struct AuthExchange {
  enum class Status { ok, unsupported_mechanism, cancelled, malformed, connection_lost };
  Status status = Status::malformed;
  auth::PasswordCredentials credentials;
};

net::awaitable<AuthExchange> read_password_credentials(net::LineReader& reader, net::OutputBuffer& out,
                                                       net::Stream& stream, std::string_view mechanism,
                                                       std::string_view initial_response,
                                                       std::chrono::seconds timeout);

struct GssapiAuthExchange {
  enum class Status { authenticated, failed, cancelled, malformed, connection_lost };
  Status status = Status::failed;
  auth::GssapiStep result;  // authenticated: the user; failed: the reason
};

// Runs the GSSAPI steps on `pool` (they may touch the replay cache on disk).
net::awaitable<GssapiAuthExchange> run_gssapi_exchange(net::LineReader& reader, net::OutputBuffer& out,
                                                       net::Stream& stream, net::BlockingPool& pool,
                                                       std::shared_ptr<const auth::GssapiAcceptor> acceptor,
                                                       std::string_view initial_response,
                                                       std::chrono::seconds timeout);

}  // namespace dirmail::smtp
