#pragma once
// The challenge-response logins that prove knowledge of a shared secret without
// sending it: SASL CRAM-MD5 (RFC 2195) and POP3 APOP (RFC 1939 §7). Both hash a
// server-made token "<random.time@host>"; the secret comes from the secrets file.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

// A fresh, unguessable token in msg-id form: "<HEX.UNIXTIME@hostname>".
std::string make_challenge_token(std::string_view hostname);

struct CramMd5Response {
  std::string login;
  std::string digest;  // 32 hex digits, as sent (either case proves)
};

// Decodes the base64 client response "login SP hex-digest". invalid_argument for bad
// base64, no space, or a digest that is not 32 hex digits; limit_exceeded when too long.
Result<CramMd5Response> decode_cram_md5_response(std::string_view base64_response);

// The client's proof, compared in constant time: HMAC-MD5(secret, challenge) for
// CRAM-MD5, MD5(token + secret) for APOP. Hex digits in either case.
bool cram_md5_proves(std::string_view secret, std::string_view challenge, std::string_view hex_digest);
bool apop_proves(std::string_view secret, std::string_view token, std::string_view hex_digest);

}  // namespace dirmail::auth
