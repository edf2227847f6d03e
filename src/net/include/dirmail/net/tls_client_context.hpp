#pragma once
// The client side of TLS (outbound SMTP): the CA set that peer certificates are
// checked against and the lowest protocol version. Whether a certificate must verify
// is decided per connection (Stream::start_tls_client), so one context serves both
// opportunistic and required TLS.
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"

struct ssl_ctx_st;

namespace dirmail::net {

struct TlsClientSettings {
  std::string ca_file;  // PEM bundle; empty (with ca_path empty): the system's default CA set
  std::string ca_path;  // hashed CA folder (c_rehash), optional
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

class TlsClientContext {
 public:
  // invalid_argument naming the CA file or folder that cannot be loaded.
  static Result<std::shared_ptr<const TlsClientContext>> load(const TlsClientSettings& settings);

  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit TlsClientContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

}  // namespace dirmail::net
