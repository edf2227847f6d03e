#include "dirmail/net/tls_context.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

namespace dirmail::net {
namespace {

// Forward-secret AEAD suites only for TLS 1.2 (TLS 1.3 suites are all fine by default).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

Error bad_file(const std::string& what, const std::string& path) {
  std::string detail = openssl_errors();
  return make_error(ErrorCode::invalid_argument,
                    what + " \"" + path + "\"" + (detail.empty() ? std::string() : ": " + detail));
}

}  // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Result<std::shared_ptr<const TlsContext>> TlsContext::load(const TlsSettings& s) {
  ERR_clear_error();
  if (s.certificate_file.empty()) return make_error(ErrorCode::invalid_argument, "tls.certificate_file is not set");
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return make_error(ErrorCode::internal, "cannot create a TLS context: " + openssl_errors());
  std::shared_ptr<const TlsContext> owner(new TlsContext(ctx));

  const int min_version = s.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx, min_version);
  // No renegotiation (a DoS lever), server's cipher order, no session tickets kept
  // per connection; an EOF without close_notify is an ordinary end of stream.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  // RELEASE_BUFFERS: an idle connection gives back its 2 x ~17 KB record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_dh_auto(ctx, 1);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
    return make_error(ErrorCode::internal, "cannot set the TLS 1.2 ciphers: " + openssl_errors());

  if (SSL_CTX_use_certificate_chain_file(ctx, s.certificate_file.c_str()) != 1)
    return bad_file("tls.certificate_file: cannot load the certificate chain from", s.certificate_file);
  if (s.key_file.empty()) return make_error(ErrorCode::invalid_argument, "tls.key_file is not set");
  // Read apart from installing it, so that "unreadable" and "not this certificate's
  // key" are told apart. An encrypted key fails (no one is there to type a passphrase).
  BIO* file = BIO_new_file(s.key_file.c_str(), "r");
  if (file == nullptr) return bad_file("tls.key_file: cannot read", s.key_file);
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* key = PEM_read_bio_PrivateKey(file, nullptr, no_passphrase, nullptr);
  BIO_free(file);
  if (key == nullptr) return bad_file("tls.key_file: no usable PEM private key in", s.key_file);
  const bool matches = SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  EVP_PKEY_free(key);
  if (!matches) {
    return bad_file("tls.key_file: the private key does not match the certificate in \"" + s.certificate_file +
                        "\":",
                    s.key_file);
  }
  return owner;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace dirmail::net
