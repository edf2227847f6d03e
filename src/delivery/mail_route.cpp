#include "dirmail/delivery/mail_route.hpp"

#include <algorithm>

namespace dirmail::delivery {

Result<AddressPreference> parse_address_preference(std::string_view text) {
  if (text == "ipv6") return AddressPreference::ipv6_first;
  if (text == "ipv4") return AddressPreference::ipv4_first;
  if (text == "ipv6_only") return AddressPreference::ipv6_only;
  if (text == "ipv4_only") return AddressPreference::ipv4_only;
  return make_error(ErrorCode::invalid_argument,
                    "\"" + std::string(text) + "\" is not one of ipv6, ipv4, ipv6_only, ipv4_only");
}

void order_mail_hosts(std::vector<MailHost>& hosts, std::mt19937* rng) {
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MailHost& a, const MailHost& b) { return a.preference < b.preference; });
  if (rng == nullptr) return;
  for (auto first = hosts.begin(); first != hosts.end();) {
    auto last = std::find_if(first, hosts.end(), [&](const MailHost& h) { return h.preference != first->preference; });
    std::shuffle(first, last, *rng);
    first = last;
  }
}

}  // namespace dirmail::delivery
