#include "dirmail/config/listen_entry.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace dirmail::config {
namespace {

// Longer than any IPv6 literal plus a port; keeps inet_pton's input bounded.
constexpr std::size_t kMaxEntryLength = 128;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

Error bad(std::string reason) { return make_error(ErrorCode::invalid_argument, std::move(reason)); }

}  // namespace

Result<ListenEntry> parse_listen_entry(std::string_view entry) {
  if (entry.size() > kMaxEntryLength) return bad("listen entry is longer than 128 characters");

  std::size_t i = 0;
  while (i < entry.size() && is_blank(entry[i])) ++i;
  const std::size_t address_begin = i;
  while (i < entry.size() && !is_blank(entry[i])) ++i;
  const std::string_view address = entry.substr(address_begin, i - address_begin);
  while (i < entry.size() && is_blank(entry[i])) ++i;
  const std::size_t port_begin = i;
  while (i < entry.size() && !is_blank(entry[i])) ++i;
  std::string_view port = entry.substr(port_begin, i - port_begin);
  while (i < entry.size() && is_blank(entry[i])) ++i;

  if (address.empty() || port.empty() || i != entry.size()) {
    return bad("listen entry \"" + std::string(entry) + "\" is not \"ADDRESS PORT\" or \"ADDRESS PORT*\"");
  }

  for (char c : entry) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 ? c != '\t' : u >= 0x7f) return bad("listen entry contains a control or non-ASCII character");
  }
  ListenEntry result;
  result.address = std::string(address);
  in6_addr buffer{};
  if (inet_pton(AF_INET, result.address.c_str(), &buffer) == 1) {
    result.ipv6 = false;
  } else if (inet_pton(AF_INET6, result.address.c_str(), &buffer) == 1) {
    result.ipv6 = true;
  } else {
    return bad("\"" + result.address + "\" is not an IPv4 or IPv6 address");
  }

  const std::string_view port_as_written = port;
  if (port.back() == '*') {
    result.implicit_tls = true;
    port.remove_suffix(1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value < 1 || value > 65535) {
    return bad("port \"" + std::string(port_as_written) + "\" is not a number in 1..65535");
  }
  result.port = static_cast<std::uint16_t>(value);
  return result;
}

}  // namespace dirmail::config
