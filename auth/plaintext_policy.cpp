#include "dirmail/auth/plaintext_policy.hpp"

namespace dirmail::auth {

std::optional<PlaintextPolicy> parse_plaintext_policy(std::string_view value) {
  if (value == "never") return PlaintextPolicy::never;
  if (value == "loopback") return PlaintextPolicy::loopback;
  if (value == "always") return PlaintextPolicy::always;
  return std::nullopt;
}

}  // namespace dirmail::auth
