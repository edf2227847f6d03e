#pragma once
// The SMTP AUTH exchange (RFC 4954) for PLAIN, LOGIN and CRAM-MD5: prompts with 334,
// reads the client's base64 responses, and ends with what they claim; checking it is
// the caller's job (auth::Authenticator). And the GSSAPI (RFC 4752) and GSS-SPNEGO
// exchanges, which end with an authenticated Kerberos principal.
#include <chrono>
#include <string>
#include <string_view>

#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/sasl_password_exchange.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"

namespace dirmail::smtp {

struct AuthExchange {
  enum class Status { ok, cancelled, malformed, connection_lost };
  Status status = Status::malformed;
  auth::SaslClaim claim;
};

// `initial_response` as given after the mechanism name: empty for none, "=" for an
// empty one. `hostname` goes into the CRAM-MD5 challenge.
net::awaitable<AuthExchange> run_sasl_password_exchange(net::LineReader& reader, net::OutputBuffer& out,
                                                        net::Stream& stream, auth::SaslPasswordMechanism mechanism,
                                                        std::string_view hostname,
                                                        std::string_view initial_response,
                                                        std::chrono::seconds timeout);

struct GssapiAuthExchange {
  enum class Status { authenticated, failed, cancelled, malformed, connection_lost };
  Status status = Status::failed;
  auth::GssapiStep result;  // authenticated: the user; failed: the reason
};

// Runs the GSSAPI or GSS-SPNEGO steps on `pool` (they may touch the replay cache on disk).
net::awaitable<GssapiAuthExchange> run_gssapi_exchange(net::LineReader& reader, net::OutputBuffer& out,
                                                       net::Stream& stream, net::BlockingPool& pool,
                                                       std::shared_ptr<const auth::GssapiAcceptor> acceptor,
                                                       auth::GssMechanism mechanism,
                                                       std::string_view initial_response,
                                                       std::chrono::seconds timeout);

}  // namespace dirmail::smtp
