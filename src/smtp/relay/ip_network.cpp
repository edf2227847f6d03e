#include "dirmail/smtp/ip_network.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "dirmail/base/strings.hpp"

namespace dirmail::smtp {
namespace {

// Longer than any IPv6 text form; keeps inet_pton's input bounded.
constexpr std::size_t max_ipv6_text = 64;
constexpr std::array<std::uint8_t, 12> v4_mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

Error bad(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "\"" + escape_control(text) + "\" " + std::string(why));
}

// One decimal octet: "0" or 1..3 digits without a leading zero, at most 255.
std::optional<std::uint8_t> parse_octet(std::string_view s) {
  if (s.size() > 1 && s.front() == '0') return std::nullopt;
  auto n = parse_decimal(s, 3);
  if (!n || *n > 255) return std::nullopt;
  return static_cast<std::uint8_t>(*n);
}

std::optional<std::uint32_t> parse_v4(std::string_view text) {
  auto parts = split(text, '.');
  if (parts.size() != 4) return std::nullopt;
  std::uint32_t value = 0;
  for (auto part : parts) {
    auto octet = parse_octet(part);
    if (!octet) return std::nullopt;
    value = (value << 8) | *octet;
  }
  return value;
}

std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view text) {
  if (text.size() > max_ipv6_text) return std::nullopt;
  char buffer[max_ipv6_text + 1];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET6, buffer, bytes.data()) != 1) return std::nullopt;
  return bytes;
}

bool is_v4_mapped(const std::array<std::uint8_t, 16>& bytes) {
  return std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), bytes.begin());
}

std::uint32_t mapped_v4(const std::array<std::uint8_t, 16>& bytes) {
  return (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) | (std::uint32_t{bytes[14]} << 8) |
         bytes[15];
}

// A prefix length: "0" or digits without a leading zero, at most `max`.
std::optional<unsigned> parse_prefix(std::string_view s, unsigned max) {
  if (s.size() > 1 && s.front() == '0') return std::nullopt;
  auto n = parse_decimal(s, 3);
  if (!n || *n > max) return std::nullopt;
  return static_cast<unsigned>(*n);
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') == std::string_view::npos) {
    auto v4 = parse_v4(text);
    if (!v4) return std::nullopt;
    return IpAddress::v4(*v4);
  }
  auto zone = text.find('%');
  if (zone != std::string_view::npos) text = text.substr(0, zone);
  auto bytes = parse_v6(text);
  if (!bytes) return std::nullopt;
  return IpAddress::v6(*bytes);
}

void IpAddress::set_words() {
  high_ = 0;
  low_ = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    high_ = (high_ << 8) | bytes_[i];
    low_ = (low_ << 8) | bytes_[i + 8];
  }
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  a.v4_ = true;
  a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<std::uint8_t>(host_order);
  a.set_words();
  return a;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  if (is_v4_mapped(bytes)) return IpAddress::v4(mapped_v4(bytes));
  IpAddress a;
  a.v4_ = false;
  a.bytes_ = bytes;
  a.set_words();
  return a;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer);
  return buffer;
}

IpNetwork IpNetwork::any_client() {
  IpNetwork n;
  n.any_client_ = true;
  return n;
}

IpNetwork IpNetwork::prefix(const IpAddress& base, unsigned prefix_bits) {
  IpNetwork n;
  n.v4_ = base.is_v4();
  if (n.v4_) {
    // IPv4 lives in the top 32 bits of the high word.
    if (prefix_bits > 32) prefix_bits = 32;
    n.mask_high_ = prefix_bits == 0 ? 0 : ~std::uint64_t{0} << (64 - prefix_bits);
  } else {
    if (prefix_bits > 128) prefix_bits = 128;
    const unsigned high_bits = prefix_bits > 64 ? 64 : prefix_bits;
    const unsigned low_bits = prefix_bits > 64 ? prefix_bits - 64 : 0;
    n.mask_high_ = high_bits == 0 ? 0 : ~std::uint64_t{0} << (64 - high_bits);
    n.mask_low_ = low_bits == 0 ? 0 : ~std::uint64_t{0} << (64 - low_bits);
  }
  n.value_high_ = base.high_ & n.mask_high_;
  n.value_low_ = base.low_ & n.mask_low_;
  return n;
}

IpNetwork IpNetwork::v4_octets(const std::array<std::optional<std::uint8_t>, 4>& octets) {
  IpNetwork n;
  n.v4_ = true;
  for (std::size_t i = 0; i < 4; ++i) {
    const unsigned shift = 56 - 8 * static_cast<unsigned>(i);
    if (octets[i]) {
      n.mask_high_ |= std::uint64_t{0xff} << shift;
      n.value_high_ |= std::uint64_t{*octets[i]} << shift;
    }
  }
  return n;
}

bool IpNetwork::contains(const IpAddress& address) const {
  if (any_client_) return true;
  return address.is_v4() == v4_ && (address.high_ & mask_high_) == value_high_ &&
         (address.low_ & mask_low_) == value_low_;
}

bool IpNetwork::covers_whole_family() const { return any_client_ || (mask_high_ == 0 && mask_low_ == 0); }

IpAddress IpNetwork::first_address() const {
  if (v4_) return IpAddress::v4(static_cast<std::uint32_t>(value_high_ >> 32));
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(value_high_ >> (56 - 8 * i));
    bytes[i + 8] = static_cast<std::uint8_t>(value_low_ >> (56 - 8 * i));
  }
  return IpAddress::v6(bytes);
}

bool looks_like_ip_pattern(std::string_view text) {
  if (text.empty()) return false;
  if (text.find(':') != std::string_view::npos) return true;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '*' || c == '/')) return false;
  return true;
}

Result<IpNetwork> parse_ip_network(std::string_view text, bool& host_bits_set) {
  host_bits_set = false;
  if (text == "*.*.*.*") return IpNetwork::any_client();
  const auto slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  const bool cidr = slash != std::string_view::npos;
  const std::string_view prefix_text = cidr ? text.substr(slash + 1) : std::string_view();

  if (address.find(':') != std::string_view::npos) {
    if (address.find('%') != std::string_view::npos) return bad(text, "has a zone (%...): not allowed in a rule");
    auto bytes = parse_v6(address);
    if (!bytes) return bad(text, "is not an IPv6 address");
    unsigned bits = 128;
    if (cidr) {
      auto p = parse_prefix(prefix_text, 128);
      if (!p) return bad(text, "has a bad prefix length (0..128)");
      bits = *p;
    }
    // ::ffff:a.b.c.d/N is an IPv4 network (clients arrive as IPv4, see IpAddress).
    if (is_v4_mapped(*bytes)) {
      if (bits < 96) return bad(text, "is an IPv4-mapped address: give a prefix of 96 or more, or write it as IPv4");
      const IpAddress base = IpAddress::v4(mapped_v4(*bytes));
      IpNetwork n = IpNetwork::prefix(base, bits - 96);
      host_bits_set = n.first_address() != base;
      return n;
    }
    const IpAddress base = IpAddress::v6(*bytes);
    IpNetwork n = IpNetwork::prefix(base, bits);
    host_bits_set = n.first_address() != base;
    return n;
  }

  auto parts = split(address, '.');
  if (parts.size() != 4) return bad(text, "is not an IPv4 pattern (four octets, e.g. 192.168.1.* or 192.168.1.0/28)");
  std::array<std::optional<std::uint8_t>, 4> octets;
  bool wildcard = false;
  for (std::size_t i = 0; i < 4; ++i) {
    if (parts[i] == "*") {
      wildcard = true;
      continue;
    }
    auto octet = parse_octet(parts[i]);
    if (!octet) return bad(text, "has a bad octet (decimal 0..255, no leading zeros, or *)");
    octets[i] = *octet;
  }
  if (wildcard) {
    if (cidr) return bad(text, "mixes * and a /prefix: use one or the other");
    return IpNetwork::v4_octets(octets);
  }
  const IpAddress base = IpAddress::v4((std::uint32_t{*octets[0]} << 24) | (std::uint32_t{*octets[1]} << 16) |
                                       (std::uint32_t{*octets[2]} << 8) | *octets[3]);
  unsigned bits = 32;
  if (cidr) {
    auto p = parse_prefix(prefix_text, 32);
    if (!p) return bad(text, "has a bad prefix length (0..32)");
    bits = *p;
  }
  IpNetwork n = IpNetwork::prefix(base, bits);
  host_bits_set = n.first_address() != base;
  return n;
}

}  // namespace dirmail::smtp
