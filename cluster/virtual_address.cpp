#include "dirmail/cluster/virtual_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <charconv>
#include <cstring>

#include "dirmail/base/strings.hpp"

namespace dirmail::cluster {
namespace {

struct Literal {
  std::string canonical;
  bool ipv6 = false;
  bool usable = false;  // not unspecified, loopback or multicast
};

Result<Literal> parse_literal(std::string_view text, std::string_view what) {
  std::string s(text);
  Literal out;
  std::array<char, INET6_ADDRSTRLEN> buf{};
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    ::inet_ntop(AF_INET, &v4, buf.data(), buf.size());
    std::uint32_t host = ntohl(v4.s_addr);
    out.usable = host != 0 && (host >> 24) != 127 && (host >> 28) != 0xE && host != 0xFFFFFFFFu;
  } else if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    ::inet_ntop(AF_INET6, &v6, buf.data(), buf.size());
    out.ipv6 = true;
    out.usable = !IN6_IS_ADDR_UNSPECIFIED(&v6) && !IN6_IS_ADDR_LOOPBACK(&v6) && !IN6_IS_ADDR_MULTICAST(&v6) &&
                 !IN6_IS_ADDR_V4MAPPED(&v6);
  } else {
    return make_error(ErrorCode::invalid_argument,
                      std::string(what) + " \"" + s + "\" is not an IPv4 or IPv6 address");
  }
  out.canonical = buf.data();
  if (!out.usable)
    return make_error(ErrorCode::invalid_argument, std::string(what) + " \"" + s +
                                                       "\" cannot be used: it is an unspecified, loopback, "
                                                       "multicast or broadcast address");
  return out;
}

}  // namespace

Result<VirtualAddress> parse_virtual_address(std::string_view text) {
  text = trim(text);
  if (text.empty())
    return make_error(ErrorCode::invalid_argument,
                      "cluster.virtual_ip is empty: set the pair's virtual IP, e.g. \"192.168.10.202/24\"");
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return make_error(ErrorCode::invalid_argument,
                      "cluster.virtual_ip \"" + std::string(text) +
                          "\" has no prefix length: write it as ADDRESS/PREFIX, e.g. \"" + std::string(text) +
                          (text.find(':') == std::string_view::npos ? "/24\"" : "/64\""));
  auto literal = parse_literal(text.substr(0, slash), "cluster.virtual_ip");
  if (!literal) return std::move(literal).error();
  std::string_view prefix_text = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  int max_prefix = literal->ipv6 ? 128 : 32;
  if (prefix_text.empty() || ec != std::errc{} || end != prefix_text.data() + prefix_text.size() || prefix < 1 ||
      prefix > max_prefix)
    return make_error(ErrorCode::invalid_argument, "cluster.virtual_ip \"" + std::string(text) +
                                                       "\": the prefix length must be a number in 1.." +
                                                       std::to_string(max_prefix));
  return VirtualAddress{literal->canonical, prefix, literal->ipv6};
}

Result<std::string> parse_peer_address(std::string_view text, bool ipv6) {
  text = trim(text);
  if (text.find('/') != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "cluster.unicast_peers entry \"" + std::string(text) +
                                                       "\" must be a plain address, without a prefix length");
  auto literal = parse_literal(text, "cluster.unicast_peers entry");
  if (!literal) return std::move(literal).error();
  if (literal->ipv6 != ipv6)
    return make_error(ErrorCode::invalid_argument,
                      "cluster.unicast_peers entry \"" + std::string(text) + "\" is an " +
                          (literal->ipv6 ? "IPv6" : "IPv4") + " address but cluster.virtual_ip is " +
                          (ipv6 ? "IPv6" : "IPv4") + ": VRRP speaks one address family per pair");
  return literal->canonical;
}

}  // namespace dirmail::cluster
