#pragma once
// The original's per-domain gateway table (「テーブル編集」 beside the SMTP gateway), read
// as is: one entry per line,
//
//   DOMAIN,GATEWAY,PORT[*]        e.g.  *.branch.example,mailgw.example.net,25
//                                       example.org,[2001:db8::25],465*
//
// DOMAIN is a domain name that may hold `*` anywhere ("*.sub.example", "01*.example"):
// `*` stands for any run of characters, dots included, so "*.example" matches
// "a.example" and "a.b.example" but not "example" itself. GATEWAY is a host name or an
// IPv4/IPv6 literal (an IPv6 literal with or without brackets). A `*` after the port
// means implicit TLS ("SSL") from the first byte. A line that starts with `'` (the
// original's comment mark), `#`, a blank or a tab is a comment; empty lines are skipped.
// Spaces around the fields are ignored.
//
// Precedence: the original processes the entries "in ascending order" (昇順に処理); here
// that is the order of the lines, and the first entry that matches wins. Put exact
// domains and narrow patterns before wide ones; an entry that an earlier pattern hides
// completely gets a warning.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::delivery {

inline constexpr std::size_t kMaxGatewayTableBytes = 1024 * 1024;
inline constexpr std::size_t kMaxGatewayTableEntries = 10000;
inline constexpr std::size_t kMaxGatewayLineBytes = 1000;

// A fixed next hop: the smart host (delivery.smtp_gateway) or a gateway table entry.
struct GatewayHost {
  std::string host;  // a host name (lower case) or an IP literal without brackets
  std::uint16_t port = 25;
  bool implicit_tls = false;  // "PORT*": TLS from the first byte
  bool operator==(const GatewayHost&) const = default;
};

// "HOST", "HOST:PORT", "HOST:PORT*", "[IPV6]:PORT[*]" or a bare IPv6 literal (then
// without a port). The port defaults to 25. invalid_argument with the reason.
Result<GatewayHost> parse_gateway_host(std::string_view text);

// "host:port" with "*" for implicit TLS, IPv6 in brackets (for logs and messages).
std::string to_string(const GatewayHost& host);

struct GatewayEntry {
  std::string origin;   // "FILE:LINE" or "SETTING[INDEX]"
  std::string pattern;  // lower case; may hold '*'
  GatewayHost gateway;
};

// True when `domain` (lower case, no trailing dot) matches `pattern` (`*` as above).
bool gateway_pattern_matches(std::string_view pattern, std::string_view domain);

// `domain` in lower case without a trailing dot, as patterns are matched against.
std::string pattern_subject(std::string_view domain);

// The first of `entries` (each with a `pattern`) matching `domain` (any case, a
// trailing dot ignored); null if none. Tables that route by domain share this order.
template <typename Entry>
const Entry* first_matching_entry(const std::vector<Entry>& entries, std::string_view domain) {
  if (entries.empty()) return nullptr;
  const std::string subject = pattern_subject(domain);
  for (const auto& entry : entries)
    if (gateway_pattern_matches(entry.pattern, subject)) return &entry;
  return nullptr;
}

// A DOMAIN field as above (spaces around it ignored), lower case; also read by the
// other per-domain tables (delivery.tls_policy). invalid_argument with the reason.
Result<std::string> parse_gateway_pattern(std::string_view text);

class GatewayTable {
 public:
  GatewayTable() = default;
  GatewayTable(std::vector<GatewayEntry> entries, std::vector<std::string> warnings)
      : entries_(std::move(entries)), warnings_(std::move(warnings)) {}

  // The first entry matching `domain` (any case, a trailing dot ignored); null if none.
  const GatewayEntry* find(std::string_view domain) const;

  const std::vector<GatewayEntry>& entries() const { return entries_; }
  // "FILE:LINE: ..." for entries that can never match; for the log at load.
  const std::vector<std::string>& warnings() const { return warnings_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<GatewayEntry> entries_;
  std::vector<std::string> warnings_;
};

// The table file's text; `name` (the file's path) prefixes errors: "NAME:LINE: reason".
// limit_exceeded over kMaxGatewayTableBytes or kMaxGatewayTableEntries.
Result<GatewayTable> parse_gateway_table(std::string_view text, std::string_view name);

// The table as a settings list, one entry per element; errors "NAME[INDEX]: reason".
Result<GatewayTable> parse_gateway_table_list(const std::vector<std::string>& entries, std::string_view name);

}  // namespace dirmail::delivery
