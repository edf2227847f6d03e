#include "dirmail/smtp/auth_exchange.hpp"

#include "dirmail/base/strings.hpp"
#include "dirmail/net/read_long_line.hpp"

namespace dirmail::smtp {
namespace {

using Status = AuthExchange::Status;

// Sends a 334 challenge and reads one response line; "*" cancels (RFC 4954 §4).
net::awaitable<Result<std::string>> challenge(net::LineReader& reader, net::OutputBuffer& out,
                                              net::Stream& stream, std::string_view prompt,
                                              std::chrono::seconds timeout) {
  out.append("334 ");
  out.append(prompt);
  out.append("\r\n");
  if (auto st = co_await out.flush(stream, timeout); !st) co_return std::move(st).error();
  auto got = co_await reader.read_line(timeout);
  if (!got) co_return std::move(got).error();
  if (got->truncated) {
    while (got && !got->complete) got = co_await reader.read_line(timeout);
    co_return make_error(ErrorCode::limit_exceeded, "response too long");
  }
  co_return std::string(got->text);
}

// A 334 challenge and a response that may be as long as a Kerberos ticket.
net::awaitable<Result<std::string>> long_challenge(net::LineReader& reader, net::OutputBuffer& out,
                                                   net::Stream& stream, std::string_view prompt,
                                                   std::chrono::seconds timeout) {
  out.append("334 ");
  out.append(prompt);
  out.append("\r\n");
  if (auto st = co_await out.flush(stream, timeout); !st) co_return std::move(st).error();
  co_return co_await net::read_long_line(reader, auth::max_gssapi_response, timeout);
}

}  // namespace

net::awaitable<GssapiAuthExchange> run_gssapi_exchange(net::LineReader& reader, net::OutputBuffer& out,
                                                       net::Stream& stream, net::BlockingPool& pool,
                                                       std::shared_ptr<const auth::GssapiAcceptor> acceptor,
                                                       std::string_view initial_response,
                                                       std::chrono::seconds timeout) {
  using GStatus = GssapiAuthExchange::Status;
  GssapiAuthExchange result;
  auth::GssapiExchange exchange(std::move(acceptor));
  std::string response(initial_response);
  if (response == "=") response.clear();
  bool have_response = !initial_response.empty();
  for (;;) {
    if (!have_response) {
      auto r = co_await long_challenge(reader, out, stream, result.result.challenge, timeout);
      if (!r) {
        result.status = r.error().code == ErrorCode::limit_exceeded ? GStatus::malformed : GStatus::connection_lost;
        co_return result;
      }
      response = std::move(*r);
    }
    have_response = false;
    if (response == "*") {
      result.status = GStatus::cancelled;
      co_return result;
    }
    auto step = [ex = &exchange, response] { return ex->step(response); };  // named: see BlockingPool::run
    result.result = co_await pool.run(step);
    switch (result.result.state) {
      case auth::GssapiStep::State::challenge: continue;
      case auth::GssapiStep::State::authenticated: result.status = GStatus::authenticated; co_return result;
      case auth::GssapiStep::State::failed: result.status = GStatus::failed; co_return result;
    }
  }
}

net::awaitable<AuthExchange> read_password_credentials(net::LineReader& reader, net::OutputBuffer& out,
                                                       net::Stream& stream, std::string_view mechanism,
                                                       std::string_view initial_response,
                                                       std::chrono::seconds timeout) {
  AuthExchange result;
  auto lost_or_malformed = [](const Error& e) {
    return e.code == ErrorCode::limit_exceeded ? Status::malformed : Status::connection_lost;
  };
  if (iequals(mechanism, "PLAIN")) {
    std::string response(initial_response);
    if (response.empty()) {
      auto r = co_await challenge(reader, out, stream, "", timeout);
      if (!r) {
      result.status = lost_or_malformed(r.error());
      co_return result;
    }
      response = std::move(*r);
    } else if (response == "=") {
      response.clear();  // an empty initial response
    }
    if (response == "*") {
      result.status = Status::cancelled;
      co_return result;
    }
    auto creds = auth::decode_sasl_plain(response);
    if (!creds) {
      result.status = Status::malformed;
      co_return result;
    }
    result.status = Status::ok;
    result.credentials = std::move(*creds);
    co_return result;
  }
  if (iequals(mechanism, "LOGIN")) {
    std::string user_b64(initial_response);
    if (user_b64.empty()) {
      auto r = co_await challenge(reader, out, stream, auth::sasl_login_username_prompt, timeout);
      if (!r) {
      result.status = lost_or_malformed(r.error());
      co_return result;
    }
      user_b64 = std::move(*r);
    }
    if (user_b64 == "*") {
      result.status = Status::cancelled;
      co_return result;
    }
    auto user = auth::decode_sasl_login_field(user_b64);
    if (!user || user->empty()) {
      result.status = Status::malformed;
      co_return result;
    }
    auto r = co_await challenge(reader, out, stream, auth::sasl_login_password_prompt, timeout);
    if (!r) {
      result.status = lost_or_malformed(r.error());
      co_return result;
    }
    if (*r == "*") {
      result.status = Status::cancelled;
      co_return result;
    }
    auto password = auth::decode_sasl_login_field(*r);
    if (!password || password->empty()) {
      result.status = Status::malformed;
      co_return result;
    }
    result.status = Status::ok;
    result.credentials = auth::PasswordCredentials{"", std::move(*user), std::move(*password)};
    co_return result;
  }
  result.status = Status::unsupported_mechanism;
  co_return result;
}

}  // namespace dirmail::smtp
