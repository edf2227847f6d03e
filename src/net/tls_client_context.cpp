#include "dirmail/net/tls_client_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "dirmail/net/tls_context.hpp"

namespace dirmail::net {

Result<std::shared_ptr<const TlsClientContext>> TlsClientContext::load(const TlsClientSettings& s) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return make_error(ErrorCode::internal, "cannot create a TLS context: " + openssl_errors());
  std::shared_ptr<const TlsClientContext> owner(new TlsClientContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, s.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (s.ca_file.empty() && s.ca_path.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return make_error(ErrorCode::invalid_argument, "cannot load the system CA set: " + openssl_errors());
  } else {
    const char* file = s.ca_file.empty() ? nullptr : s.ca_file.c_str();
    const char* path = s.ca_path.empty() ? nullptr : s.ca_path.c_str();
    if (SSL_CTX_load_verify_locations(ctx, file, path) != 1) {
      return make_error(ErrorCode::invalid_argument,
                        "cannot load the CA set from \"" + (file ? s.ca_file : s.ca_path) + "\": " + openssl_errors());
    }
  }
  return owner;
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

}  // namespace dirmail::net
