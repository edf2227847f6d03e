#pragma once
// A listener address as written in *.listen settings: "ADDRESS PORT", e.g. "0.0.0.0 25"
// or "::1 110". The address is an IPv4 or IPv6 literal (no brackets, no host names).
// A "*" right after the port ("0.0.0.0 465*") asks for implicit TLS, as the original
// product's `IP port[*]` listener syntax did.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::config {

struct ListenEntry {
  std::string address;  // as written: "0.0.0.0", "::1"
  std::uint16_t port = 0;
  bool ipv6 = false;
  bool implicit_tls = false;  // "PORT*": TLS handshake before the greeting
};

// Fails with invalid_argument and a reason such as `port "0" is not in 1..65535`.
Result<ListenEntry> parse_listen_entry(std::string_view entry);

}  // namespace dirmail::config
