#include "dirmail/delivery/smtp_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <fmt/format.h>

#include "dirmail/base/base64.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/read_long_line.hpp"
#include "dirmail/net/socket_deadline.hpp"
#include "dirmail/net/stream.hpp"
#include "dirmail/net/tls_client_context.hpp"

namespace dirmail::delivery {

namespace asio = net::asio;
using net::awaitable;
using net::tcp;

SmtpClient::SmtpClient(asio::any_io_executor executor, SmtpClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), assembler_(options_.reply_limits) {}

SmtpClient::~SmtpClient() { close(); }

void SmtpClient::close() {
  reader_.reset();  // readers and buffers hold deadlines on the socket: gone first
  out_.reset();
  if (stream_) stream_->close();
  stream_.reset();
  if (state_ == State::ready) state_ = State::closed;
}

std::string SmtpClient::server_name() const {
  if (!options_.tls_server_name.empty()) return options_.tls_server_name;
  if (!info_.peer_name.empty()) return info_.peer_name;
  return info_.peer.address().to_string();
}

Result<const net::TlsClientContext*> SmtpClient::tls_context() {
  if (!options_.tls_context) {
    auto loaded = net::TlsClientContext::load({});
    if (!loaded) return std::move(loaded).error();
    options_.tls_context = std::move(*loaded);
  }
  return options_.tls_context.get();
}

DeliveryResult SmtpClient::fault(SmtpStage stage, const Error& error) {
  close();
  state_ = State::broken;
  return DeliveryResult{classify_failure(stage, error.code), stage, std::nullopt, error.message};
}

DeliveryResult SmtpClient::refusal(SmtpStage stage, SmtpReply reply, std::string reason) {
  if (reply.code == 421) state_ = State::broken;  // "closing transmission channel"
  DeliveryOutcome outcome = classify_reply(reply.code);
  if (outcome == DeliveryOutcome::delivered) {  // a 2xx where another class belongs
    outcome = DeliveryOutcome::temporary;
    if (reason.empty()) reason = "unexpected reply";
  }
  return DeliveryResult{outcome, stage, std::move(reply), std::move(reason)};
}

awaitable<Result<SmtpReply>> SmtpClient::read_reply(std::chrono::steady_clock::duration timeout) {
  for (;;) {
    auto line = co_await net::read_long_line(*reader_, options_.reply_limits.max_line, timeout);
    if (!line) {
      Error e = std::move(line).error();
      if (e.code == ErrorCode::cancelled) e.message = "timeout waiting for the peer's reply";
      if (e.code == ErrorCode::not_found) e.message = "connection closed by the peer";
      if (e.code == ErrorCode::limit_exceeded)
        e.message = fmt::format("reply line longer than {} octets", options_.reply_limits.max_line);
      co_return e;
    }
    auto got = assembler_.add_line(*line);
    if (!got) co_return std::move(got).error();
    if (got->has_value()) co_return std::move(**got);
  }
}

awaitable<Status> SmtpClient::flush(std::chrono::steady_clock::duration timeout) {
  auto sent = co_await out_->flush(*stream_, timeout);
  if (!sent && sent.error().code == ErrorCode::cancelled)
    co_return make_error(ErrorCode::cancelled, "timeout sending to the peer");
  co_return sent;
}

awaitable<Result<SmtpReply>> SmtpClient::command(std::string line, std::chrono::steady_clock::duration timeout) {
  line += "\r\n";
  out_->append(line);
  auto sent = co_await flush(timeout);
  if (!sent) co_return std::move(sent).error();
  co_return co_await read_reply(timeout);
}

awaitable<std::optional<DeliveryResult>> SmtpClient::open(tcp::endpoint peer, std::string peer_name) {
  close();
  info_ = SmtpSessionInfo{};
  info_.peer = peer;
  info_.peer_name = std::move(peer_name);
  transaction_started_ = false;
  state_ = State::closed;

  tcp::socket socket(executor_);
  boost::system::error_code ec;
  socket.open(peer.protocol(), ec);
  if (ec) co_return fault(SmtpStage::connect, make_error(ErrorCode::io_error, "socket: " + ec.message()));
  bool expired = false;
  {
    net::SocketDeadline deadline(socket);
    deadline.arm(options_.timeouts.connect);
    std::tie(ec) = co_await socket.async_connect(peer, asio::as_tuple(net::use_awaitable));
    expired = deadline.disarm();
  }
  if (ec) {
    const auto address = peer.address().to_string();
    const auto where = peer.address().is_v6() ? fmt::format("[{}]:{}", address, peer.port())
                                              : fmt::format("{}:{}", address, peer.port());
    std::string why = expired ? "connect timeout" : ec.message();
    co_return fault(SmtpStage::connect, make_error(ErrorCode::io_error, "connect to " + where + ": " + why));
  }
  socket.set_option(tcp::no_delay(true), ec);
  stream_ = std::make_unique<net::Stream>(std::move(socket));
  reader_ = std::make_unique<net::LineReader>(*stream_, options_.reply_limits.max_line);
  out_ = std::make_unique<net::OutputBuffer>();
  state_ = State::ready;

  if (options_.tls == TlsMode::implicit) {
    auto ctx = tls_context();
    if (!ctx) co_return fault(SmtpStage::tls, ctx.error());
    auto started = co_await stream_->start_tls_client(**ctx, server_name(), options_.verify_implicit_tls,
                                                      options_.timeouts.tls_handshake);
    if (!started) co_return fault(SmtpStage::tls, started.error());
    info_.tls = stream_->tls_description();
    info_.tls_verified = stream_->peer_verified();
  }
  for (auto step : {&SmtpClient::greet, &SmtpClient::hello, &SmtpClient::start_tls, &SmtpClient::authenticate}) {
    if (auto failed = co_await (this->*step)()) {
      co_await quit();
      co_return failed;
    }
  }
  co_return std::nullopt;
}

awaitable<std::optional<DeliveryResult>> SmtpClient::greet() {
  auto reply = co_await read_reply(options_.timeouts.greeting);
  if (!reply) co_return fault(SmtpStage::greeting, reply.error());
  info_.greeting = *reply;
  if (reply->code != 220) co_return refusal(SmtpStage::greeting, std::move(*reply));
  co_return std::nullopt;
}

awaitable<std::optional<DeliveryResult>> SmtpClient::hello() {
  auto reply = co_await command("EHLO " + options_.helo_name, options_.timeouts.command);
  if (!reply) co_return fault(SmtpStage::ehlo, reply.error());
  if (reply->code == 250) {
    info_.capabilities = parse_ehlo_reply(*reply);
    co_return std::nullopt;
  }
  if (reply->klass() != 5) co_return refusal(SmtpStage::ehlo, std::move(*reply));
  // An old server without ESMTP (RFC 5321 §3.2): plain HELO, no extensions.
  info_.capabilities = PeerCapabilities{};
  reply = co_await command("HELO " + options_.helo_name, options_.timeouts.command);
  if (!reply) co_return fault(SmtpStage::ehlo, reply.error());
  if (reply->code != 250) co_return refusal(SmtpStage::ehlo, std::move(*reply));
  co_return std::nullopt;
}

awaitable<std::optional<DeliveryResult>> SmtpClient::start_tls() {
  const bool required = options_.tls == TlsMode::required;
  if ((options_.tls != TlsMode::opportunistic && !required) || stream_->tls()) co_return std::nullopt;
  if (!info_.capabilities.starttls) {
    if (!required) co_return std::nullopt;
    co_return DeliveryResult{DeliveryOutcome::line_fault, SmtpStage::starttls, std::nullopt,
                             "TLS is required but the peer does not offer STARTTLS"};
  }
  auto ctx = tls_context();
  if (!ctx) co_return fault(SmtpStage::starttls, ctx.error());
  auto reply = co_await command("STARTTLS", options_.timeouts.command);
  if (!reply) co_return fault(SmtpStage::starttls, reply.error());
  if (reply->code != 220) {
    if (!required && reply->code != 421) co_return std::nullopt;  // carry on in plaintext
    auto refused = refusal(SmtpStage::starttls, std::move(*reply), "TLS is required but STARTTLS was refused");
    refused.outcome = DeliveryOutcome::temporary;  // even a 5xx: a TLS policy failure is not a final answer
    co_return refused;
  }
  // Plaintext that came after the 220 would be taken as the TLS peer's (RFC 3207 §6).
  if (reader_->has_buffered_line())
    co_return fault(SmtpStage::starttls, make_error(ErrorCode::protocol_error, "data after the STARTTLS reply"));
  reader_->discard_buffer();
  auto started =
      co_await stream_->start_tls_client(**ctx, server_name(), required, options_.timeouts.tls_handshake);
  if (!started) co_return fault(SmtpStage::starttls, started.error());
  info_.tls = stream_->tls_description();
  info_.tls_verified = stream_->peer_verified();
  // The capabilities before TLS are forgotten (RFC 3207 §4.2): ask again.
  co_return co_await hello();
}

awaitable<std::optional<DeliveryResult>> SmtpClient::authenticate() {
  if (!options_.auth) co_return std::nullopt;
  auto refuse = [](std::string why) {
    return DeliveryResult{DeliveryOutcome::temporary, SmtpStage::auth, std::nullopt, std::move(why)};
  };
  if (!stream_->tls() && !options_.auth_without_tls)
    co_return refuse("credentials are not sent without TLS (the session is not encrypted)");
  const auto& caps = info_.capabilities;
  const auto& cred = *options_.auth;
  std::optional<Result<SmtpReply>> reply;
  const bool plain = cred.mechanism.empty() ? caps.offers_auth("PLAIN") : cred.mechanism == "PLAIN";
  const bool login = cred.mechanism.empty() ? caps.offers_auth("LOGIN") : cred.mechanism == "LOGIN";
  if (plain && caps.offers_auth("PLAIN")) {
    std::string token = std::string(1, '\0') + cred.user + std::string(1, '\0') + cred.password;
    reply = co_await command("AUTH PLAIN " + base64_encode(token), options_.timeouts.command);
    info_.auth_mechanism = "PLAIN";
  } else if (login && caps.offers_auth("LOGIN")) {
    info_.auth_mechanism = "LOGIN";
    reply = co_await command("AUTH LOGIN", options_.timeouts.command);
    for (const std::string* answer : {&cred.user, &cred.password}) {
      if (!*reply || (*reply)->code != 334) break;
      reply = co_await command(base64_encode(*answer), options_.timeouts.command);
    }
  } else {
    std::string offered;
    for (const auto& m : caps.auth_mechanisms) offered += (offered.empty() ? "" : " ") + m;
    co_return refuse(offered.empty() ? "the peer offers no AUTH"
                                     : "no common AUTH mechanism (the peer offers " + offered + ")");
  }
  if (!*reply) co_return fault(SmtpStage::auth, reply->error());
  if ((*reply)->code != 235) {
    info_.auth_mechanism.clear();
    auto failed = refusal(SmtpStage::auth, std::move(**reply), "authentication failed");
    // Wrong credentials are the administrator's to fix: the mail waits, it is not bounced.
    failed.outcome = DeliveryOutcome::temporary;
    co_return failed;
  }
  co_return std::nullopt;
}

awaitable<void> SmtpClient::quit() {
  if (stream_ && state_ == State::ready) {
    auto reply = co_await command("QUIT", options_.timeouts.quit);
    (void)reply;  // the session is over either way
  }
  close();
  state_ = State::closed;
}

}  // namespace dirmail::delivery
