#include "dirmail/net/stream.hpp"

#include <cerrno>
#include <climits>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <openssl/x509v3.h>

#include "dirmail/net/socket_deadline.hpp"
#include "dirmail/net/tls_client_context.hpp"
#include "dirmail/net/tls_context.hpp"

namespace dirmail::net {
namespace {

// OpenSSL's packed error codes as error_codes, so that TLS failures read like the
// socket errors they replace ("TLS: wrong version number"). (error_category's
// destructor is protected and non-virtual by design; the one instance is static.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class TlsErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "dirmail.tls"; }
  std::string message(int value) const override {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(value));
    return "TLS: " + (reason ? std::string(reason) : fmt::format("error {:#x}", value));
  }
};
#pragma GCC diagnostic pop

const boost::system::error_category& tls_category() {
  static const TlsErrorCategory category;
  return category;
}

boost::system::error_code tls_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  // The reason alone fits an int and is what ERR_reason_error_string needs.
  return {static_cast<int>(e & 0x7fffffffUL), tls_category()};
}

}  // namespace

void Stream::SslFree::operator()(ssl_st* ssl) const { SSL_free(ssl); }

Stream::Stream(tcp::socket socket) : socket_(std::move(socket)) {}
Stream::Stream(Stream&& other) noexcept
    : socket_(std::move(other.socket_)),
      ssl_(std::move(other.ssl_)),
      handshake_done_(other.handshake_done_),
      broken_(other.broken_) {}
Stream::~Stream() = default;

std::string Stream::tls_description() const {
  if (!ssl_) return {};
  return fmt::format("{} {}", SSL_get_version(ssl_.get()), SSL_get_cipher_name(ssl_.get()));
}

bool Stream::has_buffered_input() const { return ssl_ && (SSL_pending(ssl_.get()) > 0 || SSL_has_pending(ssl_.get())); }

awaitable<boost::system::error_code> Stream::wait_readable() {
  if (has_buffered_input()) co_return boost::system::error_code{};
  auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, asio::as_tuple(use_awaitable));
  co_return ec;
}

// One OpenSSL call, repeated after waiting for whatever the socket must do first.
awaitable<std::pair<boost::system::error_code, int>> Stream::ssl_call(Op op, void* data, std::size_t size) {
  SSL* ssl = ssl_.get();
  const int len = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int r = 0;
    switch (op) {
      case Op::accept: r = SSL_accept(ssl); break;
      case Op::connect: r = SSL_connect(ssl); break;
      case Op::read: r = SSL_read(ssl, data, len); break;
      case Op::write: r = SSL_write(ssl, data, len); break;
    }
    if (r > 0) co_return std::pair{boost::system::error_code{}, r};
    const int err = SSL_get_error(ssl, r);
    const int saved_errno = errno;
    tcp::socket::wait_type wait;
    switch (err) {
      case SSL_ERROR_WANT_READ: wait = tcp::socket::wait_read; break;
      case SSL_ERROR_WANT_WRITE: wait = tcp::socket::wait_write; break;
      case SSL_ERROR_ZERO_RETURN: co_return std::pair{boost::system::error_code(asio::error::eof), 0};
      case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() != 0) co_return std::pair{tls_error(), 0};
        if (saved_errno == 0) co_return std::pair{boost::system::error_code(asio::error::eof), 0};
        co_return std::pair{boost::system::error_code(saved_errno, boost::system::system_category()), 0};
      default:
        co_return std::pair{tls_error(), 0};
    }
    auto [ec] = co_await socket_.async_wait(wait, asio::as_tuple(use_awaitable));
    if (ec) co_return std::pair{ec, 0};
  }
}

awaitable<std::pair<boost::system::error_code, std::size_t>> Stream::read_some(asio::mutable_buffer buffer) {
  if (broken_) co_return std::pair{boost::system::error_code(asio::error::not_connected), std::size_t{0}};
  if (!ssl_) {
    auto [ec, n] = co_await socket_.async_read_some(buffer, asio::as_tuple(use_awaitable));
    co_return std::pair{ec, n};
  }
  auto [ec, n] = co_await ssl_call(Op::read, buffer.data(), buffer.size());
  co_return std::pair{ec, static_cast<std::size_t>(n)};
}

awaitable<boost::system::error_code> Stream::write(asio::const_buffer data) {
  if (broken_) co_return boost::system::error_code(asio::error::not_connected);
  if (!ssl_) {
    auto [ec, n] = co_await asio::async_write(socket_, data, asio::as_tuple(use_awaitable));
    (void)n;
    co_return ec;
  }
  auto* p = static_cast<const char*>(data.data());
  std::size_t left = data.size();
  while (left > 0) {
    auto [ec, n] = co_await ssl_call(Op::write, const_cast<char*>(p), left);
    if (ec) co_return ec;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  co_return boost::system::error_code{};
}

awaitable<Status> Stream::start_tls(const TlsContext& context, std::chrono::steady_clock::duration timeout) {
  if (ssl_) co_return make_error(ErrorCode::invalid_argument, "TLS is already active");
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);  // OpenSSL does the reads and writes itself
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  ssl_.reset(SSL_new(context.native()));
  if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) {
    ssl_.reset();
    co_return make_error(ErrorCode::internal, "cannot start TLS: " + openssl_errors());
  }
  SSL_set_accept_state(ssl_.get());
  SocketDeadline deadline(socket_);
  deadline.arm(timeout);
  auto [err, r] = co_await ssl_call(Op::accept, nullptr, 0);
  (void)r;
  const bool expired = deadline.disarm();
  if (!err) {
    handshake_done_ = true;
    co_return ok_status();
  }
  ssl_.reset();
  broken_ = true;
  if (err == asio::error::operation_aborted)
    co_return make_error(ErrorCode::cancelled, expired ? "TLS handshake timeout" : "cancelled");
  co_return make_error(ErrorCode::protocol_error, "TLS handshake failed: " + err.message());
}

awaitable<Status> Stream::start_tls_client(const TlsClientContext& context, const std::string& server_name,
                                          bool verify, std::chrono::steady_clock::duration timeout) {
  if (ssl_) co_return make_error(ErrorCode::invalid_argument, "TLS is already active");
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) co_return make_error(ErrorCode::io_error, ec.message());
  ssl_.reset(SSL_new(context.native()));
  if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) {
    ssl_.reset();
    co_return make_error(ErrorCode::internal, "cannot start TLS: " + openssl_errors());
  }
  SSL* ssl = ssl_.get();
  SSL_set_connect_state(ssl);
  // An IP literal is checked against the certificate's IP addresses and is not sent
  // as SNI (RFC 6066 §3 allows host names only).
  const bool is_ip = [&] {
    boost::system::error_code bad;
    (void)asio::ip::make_address(server_name, bad);
    return !bad;
  }();
  bool named = true;
  if (!server_name.empty() && !is_ip) named = SSL_set_tlsext_host_name(ssl, server_name.c_str()) == 1;
  if (verify) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    if (server_name.empty()) {
      named = false;  // nothing to check the certificate against
    } else if (is_ip) {
      named = named && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str()) == 1;
    } else {
      named = named && SSL_set1_host(ssl, server_name.c_str()) == 1;
    }
  }
  if (!named) {
    ssl_.reset();
    broken_ = true;
    co_return make_error(ErrorCode::invalid_argument, "cannot check the certificate against \"" + server_name + "\"");
  }
  SocketDeadline deadline(socket_);
  deadline.arm(timeout);
  auto [err, r] = co_await ssl_call(Op::connect, nullptr, 0);
  (void)r;
  const bool expired = deadline.disarm();
  if (!err) {
    handshake_done_ = true;
    co_return ok_status();
  }
  const long verify_result = SSL_get_verify_result(ssl);
  ssl_.reset();
  broken_ = true;
  if (err == asio::error::operation_aborted)
    co_return make_error(ErrorCode::cancelled, expired ? "TLS handshake timeout" : "cancelled");
  if (verify && verify_result != X509_V_OK) {
    co_return make_error(ErrorCode::permission_denied,
                         std::string("certificate does not verify: ") + X509_verify_cert_error_string(verify_result));
  }
  co_return make_error(ErrorCode::protocol_error, "TLS handshake failed: " + err.message());
}

bool Stream::peer_verified() const {
  if (!ssl_ || !handshake_done_) return false;
  X509* cert = SSL_get1_peer_certificate(ssl_.get());
  if (cert == nullptr) return false;
  X509_free(cert);
  return SSL_get_verify_result(ssl_.get()) == X509_V_OK;
}

void Stream::close() {
  if (ssl_ && handshake_done_) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_.get());  // one try: the socket is non-blocking and closing anyway
    ERR_clear_error();
  }
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace dirmail::net
