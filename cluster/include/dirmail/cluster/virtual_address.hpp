#pragma once
// The pair's addresses as the administrator writes them: the virtual IP with its prefix
// length ("192.168.10.202/24", "2001:db8::25/64") and the peers' real addresses. Parsed
// strictly, because keepalived would otherwise add a /32 host address (the original
// never asked for a mask either) or silently skip a line it cannot read.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::cluster {

struct VirtualAddress {
  std::string address;  // canonical text form (inet_ntop)
  int prefix_length = 0;
  bool ipv6 = false;

  std::string text() const { return address + "/" + std::to_string(prefix_length); }
};

// Errors (invalid_argument) say what is wrong and show the expected form.
Result<VirtualAddress> parse_virtual_address(std::string_view text);

// A peer's real address: an IPv4 or IPv6 literal without a prefix, in canonical form.
Result<std::string> parse_peer_address(std::string_view text, bool ipv6);

}  // namespace dirmail::cluster
