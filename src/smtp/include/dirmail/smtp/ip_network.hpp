#pragma once
// Client addresses and the network patterns of the relay rules (effect.dat): IPv4 with
// "*" octets, IPv4 and IPv6 CIDR, and single addresses.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack listener reports for an
// IPv4 client) are IPv4 here, both as client addresses and as patterns, so one IPv4
// rule covers a client whichever socket it came in on.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::smtp {

class IpAddress {
 public:
  // Dotted-quad IPv4 (four decimal octets, no leading zeros) or IPv6 text (RFC 4291;
  // a "%zone" suffix, as Asio writes link-local peers, is ignored). nullopt otherwise.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::uint32_t host_order);
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);

  bool is_v4() const { return v4_; }
  // IPv4: the first 4 bytes hold the address; IPv6: all 16.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  friend class IpNetwork;
  void set_words();

  std::array<std::uint8_t, 16> bytes_{};
  // bytes_ as two big-endian words, so that a network test is two masked compares.
  std::uint64_t high_ = 0, low_ = 0;
  bool v4_ = true;
};

// A set of client addresses: the address with some bits ignored. One form covers the
// three ways effect.dat writes a network: "192.168.*.*" ignores whole octets,
// "192.168.1.0/28" ignores the low bits, "192.168.1.4" ignores none.
class IpNetwork {
 public:
  // "*.*.*.*": every client, IPv4 and IPv6 (the original product's "any address").
  static IpNetwork any_client();
  // `prefix_bits` counts from the high end; the base's bits below it are ignored.
  static IpNetwork prefix(const IpAddress& base, unsigned prefix_bits);
  // IPv4 with octets set to nullopt matching anything ("10.*.*.*").
  static IpNetwork v4_octets(const std::array<std::optional<std::uint8_t>, 4>& octets);

  bool contains(const IpAddress& address) const;
  bool is_any_client() const { return any_client_; }
  // True when it contains every address of its family (any_client, 0.0.0.0/0, ::/0).
  bool covers_whole_family() const;
  bool is_v4() const { return v4_; }
  // The lowest address in the set (for tests and fuzz probes).
  IpAddress first_address() const;

 private:
  // In IpAddress's word layout; the value is already masked.
  std::uint64_t value_high_ = 0, value_low_ = 0, mask_high_ = 0, mask_low_ = 0;
  bool v4_ = true;
  bool any_client_ = false;
};

// One effect.dat network pattern (the text before the space). Accepted forms:
//   a.b.c.d            one IPv4 address
//   a.*.*.*, *.*.*.*   "*" for any octet, anywhere (*.*.*.* is every client, IPv6 too)
//   a.b.c.d/N          IPv4 CIDR, N = 0..32
//   IPv6 and IPv6/N    N = 0..128; ::ffff:a.b.c.d forms become IPv4
// Octets are decimal 0..255 without leading zeros ("010" could be read as octal).
// `host_bits_set` is raised when a CIDR base has bits below the prefix (they are
// ignored, as 192.168.1.5/28 is read as 192.168.1.0/28): the loader warns about it.
// invalid_argument with a reason when `text` is not one of these forms.
Result<IpNetwork> parse_ip_network(std::string_view text, bool& host_bits_set);

// True when `text` can only be meant as an IP pattern: it holds nothing but digits,
// ".", "*" and "/", or it holds a ":". Such text is never a domain.
bool looks_like_ip_pattern(std::string_view text);

}  // namespace dirmail::smtp
