#include "dirmail/delivery/self_identity.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include <boost/asio/ip/address.hpp>

#include "dirmail/base/strings.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::delivery {
namespace {

std::string canonical(std::string_view text) {
  boost::system::error_code ec;
  auto a = net::asio::ip::make_address(std::string(text), ec);
  return ec ? std::string(text) : a.to_string();
}

}  // namespace

std::vector<std::string> machine_addresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      net::asio::ip::address_v4::bytes_type b;
      std::memcpy(b.data(), &sin->sin_addr, b.size());
      out.push_back(net::asio::ip::address_v4(b).to_string());
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      net::asio::ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &sin6->sin6_addr, b.size());
      out.push_back(net::asio::ip::address_v6(b).to_string());
    }
  }
  ::freeifaddrs(list);
  return out;
}

bool SelfIdentity::is_self(std::string_view host_name, std::string_view address, std::uint16_t port) const {
  if (host_name.ends_with('.')) host_name.remove_suffix(1);
  const std::string name = to_lower(host_name);
  if (!name.empty() && std::find(names.begin(), names.end(), name) != names.end()) return true;
  if (address.empty()) return false;
  boost::system::error_code ec;
  auto ip = net::asio::ip::make_address(std::string(address), ec);
  if (ec) return false;
  for (const auto& l : listeners) {
    if (l.port != port) continue;
    auto bound = net::asio::ip::make_address(l.address, ec);
    if (ec) continue;
    if (!bound.is_unspecified()) {
      if (bound == ip) return true;
      continue;
    }
    if (bound.is_v4() != ip.is_v4()) continue;
    // Linux answers on the whole of 127.0.0.0/8 for a wildcard listener.
    if (ip.is_loopback()) return true;
    const std::string text = ip.to_string();
    if (std::any_of(local_addresses.begin(), local_addresses.end(),
                    [&](const std::string& a) { return canonical(a) == text; }))
      return true;
  }
  return false;
}

Status remove_self_and_worse(MailRoute& route, const SelfIdentity& self, std::uint16_t port) {
  for (std::size_t i = 0; i < route.hosts.size(); ++i) {
    const auto& host = route.hosts[i];
    const bool self_host = self.is_self(host.name, "", port) ||
                           std::any_of(host.addresses.begin(), host.addresses.end(),
                                       [&](const std::string& a) { return self.is_self("", a, port); });
    if (!self_host) continue;
    const std::uint16_t worst = host.preference;
    std::erase_if(route.hosts, [&](const MailHost& h) { return h.preference >= worst; });
    if (route.hosts.empty())
      return make_error(ErrorCode::permission_denied, "mail for " + route.domain + " loops back to myself");
    return ok_status();
  }
  return ok_status();
}

}  // namespace dirmail::delivery
