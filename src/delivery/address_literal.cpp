#include "dirmail/delivery/address_literal.hpp"

#include <boost/asio/ip/address.hpp>

#include "dirmail/base/strings.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::delivery {

std::optional<Result<MailRoute>> address_literal_route(std::string_view domain) {
  if (!domain.starts_with('[')) return std::nullopt;
  auto invalid = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "\"" + escape_control(domain) + "\" is not an IPv4 or IPv6 address literal");
  };
  if (!domain.ends_with(']') || domain.size() < 3) return Result<MailRoute>(invalid());
  std::string_view inner = domain.substr(1, domain.size() - 2);
  const bool tagged_v6 = inner.size() > 5 && to_lower(inner.substr(0, 5)) == "ipv6:";
  if (tagged_v6) inner.remove_prefix(5);
  boost::system::error_code ec;
  auto ip = net::asio::ip::make_address(std::string(inner), ec);
  // RFC 5321 §4.1.3: an IPv6 literal carries the tag, an IPv4 one does not.
  if (ec || inner.find('\0') != std::string_view::npos || ip.is_v6() != tagged_v6 || ip.is_unspecified())
    return Result<MailRoute>(invalid());
  MailRoute route;
  route.domain = to_lower(domain);
  MailHost host;
  host.name = ip.to_string();
  host.addresses.push_back(ip.to_string());
  route.hosts.push_back(std::move(host));
  return Result<MailRoute>(std::move(route));
}

}  // namespace dirmail::delivery
