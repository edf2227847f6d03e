#pragma once
// The records delivery wants from one DNS reply: MX records, or A/AAAA addresses, each
// with its TTL (c-ares 1.18's MX parser drops TTLs, and the MX cache must honour them).
// CNAMEs from the asked name are followed inside the reply (the recursive server has
// already resolved them); records owned by any other name are ignored.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/net/dns_query.hpp"

namespace dirmail::delivery {

// Limits on what one reply can make us hold; records past them are ignored.
inline constexpr std::size_t kMaxDnsMessage = 65535;  // the largest DNS message (TCP)
inline constexpr std::size_t kMaxAnswerRecords = 100; // answer records read from one reply
inline constexpr std::size_t kMaxCnameChain = 8;
inline constexpr std::size_t kMaxDomainName = 253;    // text form, without the final dot

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // lower case; "" for the root "." (null MX, RFC 7505)
  std::uint32_t ttl = 0;
};

struct AddressRecord {
  std::string ip;  // "192.0.2.1", "2001:db8::1"
  bool ipv6 = false;
  std::uint32_t ttl = 0;
};

struct DnsAnswer {
  std::vector<MxRecord> mx;              // type mx
  std::vector<AddressRecord> addresses;  // type a or aaaa
  std::uint32_t cname_ttl = UINT32_MAX;  // the smallest TTL of the CNAMEs followed
  std::size_t ignored = 0;               // records dropped: unusable names, over the limits
};

// Reads the answer section of `message`, a reply to (`name`, `type`) where type is mx,
// a or aaaa. protocol_error when the message is malformed or larger than the limit.
Result<DnsAnswer> read_dns_answer(std::span<const unsigned char> message, std::string_view name,
                                  net::DnsType type);

// True for a host name delivery will use: letters, digits, '-', '_' and '.', at most
// kMaxDomainName characters, no empty label, no label over 63 characters.
bool is_usable_host_name(std::string_view name);

}  // namespace dirmail::delivery
