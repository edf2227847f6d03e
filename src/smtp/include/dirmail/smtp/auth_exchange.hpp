#pragma once
// The SMTP AUTH exchange (RFC 4954) for the password mechanisms PLAIN and LOGIN:
// prompts with 334, reads the client's base64 responses, decodes the credentials.
// Checking them is the caller's job (auth::PasswordVerifier).
#include <chrono>
#include <string>
#include <string_view>

#include "dirmail/auth/sasl_password.hpp"
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

}  // namespace dirmail::smtp
