#include "dirmail/smtp/auth_exchange.hpp"

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
                                                       auth::GssMechanism mechanism,
                                                       std::string_view initial_response,
                                                       std::chrono::seconds timeout) {
  using GStatus = GssapiAuthExchange::Status;
  GssapiAuthExchange result;
  auth::GssapiExchange exchange(std::move(acceptor), mechanism);
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

net::awaitable<AuthExchange> run_sasl_password_exchange(net::LineReader& reader, net::OutputBuffer& out,
                                                        net::Stream& stream, auth::SaslPasswordMechanism mechanism,
                                                        std::string_view hostname,
                                                        std::string_view initial_response,
                                                        std::chrono::seconds timeout) {
  using State = auth::SaslPasswordExchange::State;
  AuthExchange result;
  auth::SaslPasswordExchange exchange(mechanism, std::string(hostname));
  std::optional<std::string_view> initial;
  if (!initial_response.empty()) initial = initial_response == "=" ? std::string_view() : initial_response;
  auto step = exchange.start(initial);
  while (step.state == State::challenge) {
    auto r = co_await challenge(reader, out, stream, step.challenge, timeout);
    if (!r) {
      result.status = r.error().code == ErrorCode::limit_exceeded ? Status::malformed : Status::connection_lost;
      co_return result;
    }
    step = exchange.respond(*r);
  }
  switch (step.state) {
    case State::done:
      result.status = Status::ok;
      result.claim = exchange.claim();
      break;
    case State::cancelled: result.status = Status::cancelled; break;
    default: result.status = Status::malformed; break;
  }
  co_return result;
}

}  // namespace dirmail::smtp
