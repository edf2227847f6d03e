#pragma once
// When may a client send a password in the clear (USER/PASS, LOGIN, AUTH PLAIN)?
// Never without TLS, unless the administrator allows loopback clients or everyone.
#include <optional>
#include <string_view>

namespace dirmail::auth {

enum class PlaintextPolicy { never, loopback, always };

// From the settings value "never" | "loopback" | "always".
std::optional<PlaintextPolicy> parse_plaintext_policy(std::string_view value);

inline bool plaintext_allowed(PlaintextPolicy policy, bool tls, bool peer_is_loopback) {
  if (tls) return true;
  switch (policy) {
    case PlaintextPolicy::always: return true;
    case PlaintextPolicy::loopback: return peer_is_loopback;
    case PlaintextPolicy::never: return false;
  }
  return false;
}

}  // namespace dirmail::auth
