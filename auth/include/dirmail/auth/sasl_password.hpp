#pragma once
// The password SASL mechanisms, PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login),
// as pure functions: the protocol sessions own the exchange, these decode it.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

inline constexpr std::size_t max_sasl_response = 2048;  // base64 text of one client response

struct PasswordCredentials {
  std::string authzid;  // empty, or the identity to act as
  std::string authcid;  // the login
  std::string password;
};

// Decodes a base64 PLAIN response "authzid NUL authcid NUL password".
// invalid_argument for bad base64 or a malformed message.
Result<PasswordCredentials> decode_sasl_plain(std::string_view base64_response);

// Decodes one base64 LOGIN response (the user name or the password).
Result<std::string> decode_sasl_login_field(std::string_view base64_response);

// LOGIN's prompts, base64 of "Username:" and "Password:".
inline constexpr std::string_view sasl_login_username_prompt = "VXNlcm5hbWU6";
inline constexpr std::string_view sasl_login_password_prompt = "UGFzc3dvcmQ6";

}  // namespace dirmail::auth
