#pragma once
// The server side of TLS (OpenSSL): certificate chain and key from PEM files, the
// lowest protocol version allowed, and modes that keep idle connections small. One
// context serves every connection of the daemon; a reload builds a new one and only
// new connections use it.
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"

struct ssl_ctx_st;

namespace dirmail::net {

struct TlsSettings {
  std::string certificate_file;  // PEM: the server certificate, then its chain
  std::string key_file;          // PEM private key
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

class TlsContext {
 public:
  // Fails with invalid_argument naming the file that cannot be read, does not hold
  // what it should, or (the key) does not match the certificate.
  static Result<std::shared_ptr<const TlsContext>> load(const TlsSettings& settings);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
};

// The text of OpenSSL's error queue (emptied), for logs and error messages.
std::string openssl_errors();

}  // namespace dirmail::net
