#pragma once
// A connection's byte stream: plain TCP, or TLS on the same socket once start_tls()
// has run (STARTTLS upgrades in place; implicit-TLS listeners call it before the
// greeting). Sessions, readers and the output buffer read and write through it.
//
// TLS runs OpenSSL directly on the non-blocking socket, waiting for readiness with
// Asio, instead of asio::ssl::stream: that one keeps two 17 KB buffers and a 2 x 17 KB
// BIO pair per connection for life, while here an idle TLS connection holds only the
// SSL object (SSL_MODE_RELEASE_BUFFERS gives the record buffers back).
// Deadlines and shutdown still work by cancelling the socket (SocketDeadline).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"

struct ssl_st;

namespace dirmail::net {

class TlsContext;
class TlsClientContext;

class Stream {
 public:
  explicit Stream(tcp::socket socket);
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) = delete;
  ~Stream();

  tcp::socket& socket() { return socket_; }
  bool tls() const { return ssl_ != nullptr; }
  // "TLSv1.3 TLS_AES_256_GCM_SHA384"; empty without TLS.
  std::string tls_description() const;

  // Input already taken from the socket that a readiness wait would not see (TLS
  // record data OpenSSL holds).
  bool has_buffered_input() const;
  // Completes when read_some() has something to return (or the peer is gone).
  awaitable<boost::system::error_code> wait_readable();
  // Errors: operation_aborted when the socket is cancelled, eof at the end of the stream.
  awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(asio::mutable_buffer buffer);
  // Writes all of `data`.
  awaitable<boost::system::error_code> write(asio::const_buffer data);

  // The server side of the TLS handshake, within `timeout`. Errors: cancelled on
  // timeout, protocol_error when the client's handshake fails, invalid_argument when
  // TLS is already on. After a failure the connection must be closed.
  awaitable<Status> start_tls(const TlsContext& context, std::chrono::steady_clock::duration timeout);

  // The client side of the TLS handshake (outbound SMTP), within `timeout`.
  // `server_name` goes into SNI (when it is a host name) and, with `verify`, the
  // peer's certificate must chain to the context's CA set and carry that name (or IP
  // address). Errors: permission_denied when the certificate does not verify,
  // cancelled on timeout, protocol_error for other handshake failures. After a
  // failure the connection must be closed.
  awaitable<Status> start_tls_client(const TlsClientContext& context, const std::string& server_name, bool verify,
                                     std::chrono::steady_clock::duration timeout);
  // Whether the peer's certificate verified (client side; also known when `verify`
  // was off, for logs).
  bool peer_verified() const;

  // Sends close_notify (without waiting for the peer's) and closes the socket.
  void close();

 private:
  struct SslFree {
    void operator()(ssl_st* ssl) const;
  };
  enum class Op { accept, connect, read, write };
  awaitable<std::pair<boost::system::error_code, int>> ssl_call(Op op, void* data, std::size_t size);

  tcp::socket socket_;
  std::unique_ptr<ssl_st, SslFree> ssl_;
  bool handshake_done_ = false;
  bool broken_ = false;  // a failed handshake: nothing more goes over this connection
};

}  // namespace dirmail::net
