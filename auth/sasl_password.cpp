#include "dirmail/auth/sasl_password.hpp"

#include "dirmail/base/base64.hpp"

namespace dirmail::auth {
namespace {

Result<std::string> decode(std::string_view text) {
  if (text.size() > max_sasl_response) return make_error(ErrorCode::limit_exceeded, "SASL response too long");
  return base64_decode(text);
}

}  // namespace

Result<PasswordCredentials> decode_sasl_plain(std::string_view base64_response) {
  auto raw = decode(base64_response);
  if (!raw) return std::move(raw).error();
  const std::string& m = *raw;
  auto first = m.find('\0');
  auto second = first == std::string::npos ? std::string::npos : m.find('\0', first + 1);
  if (second == std::string::npos || m.find('\0', second + 1) != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "PLAIN response is not authzid NUL authcid NUL password");
  PasswordCredentials c{m.substr(0, first), m.substr(first + 1, second - first - 1), m.substr(second + 1)};
  if (c.authcid.empty() || c.password.empty())
    return make_error(ErrorCode::invalid_argument, "PLAIN response has an empty user or password");
  return c;
}

Result<std::string> decode_sasl_login_field(std::string_view base64_response) {
  auto raw = decode(base64_response);
  if (!raw) return std::move(raw).error();
  if (raw->find('\0') != std::string::npos) return make_error(ErrorCode::invalid_argument, "NUL in LOGIN response");
  return raw;
}

}  // namespace dirmail::auth
