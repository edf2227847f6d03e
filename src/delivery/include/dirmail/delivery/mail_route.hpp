#pragma once
// Where mail for a domain goes: the hosts to try, best first, each with its addresses.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::delivery {

// Which addresses of a host are tried, and in which order (delivery.address_preference).
enum class AddressPreference { ipv6_first, ipv4_first, ipv6_only, ipv4_only };

// "ipv6", "ipv4", "ipv6_only", "ipv4_only" as in the setting; invalid_argument otherwise.
Result<AddressPreference> parse_address_preference(std::string_view text);

struct MailHost {
  std::string name;                    // the MX exchange, or the domain itself (implicit MX)
  std::uint16_t preference = 0;        // MX preference; 0 for the implicit MX
  std::vector<std::string> addresses;  // IP literals in the order to try; never empty
};

struct MailRoute {
  std::string domain;           // lower case
  bool implicit_mx = false;     // no MX records: the domain's own A/AAAA (RFC 5321 §5.1)
  std::vector<MailHost> hosts;  // in the order to try; never empty
  // The smallest TTL of the records this route was made of; 0 when it must not be
  // kept (a host's lookup failed for now, so a better host may be missing).
  std::chrono::seconds ttl{0};
};

// RFC 5321 §5.1: lower preference first. Hosts of equal preference are shuffled with
// `rng` to spread the load, as the RFC asks; with rng == nullptr they keep their order
// (the order of the DNS answer).
void order_mail_hosts(std::vector<MailHost>& hosts, std::mt19937* rng);

}  // namespace dirmail::delivery
