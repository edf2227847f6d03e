#pragma once
// Outbound TLS per recipient domain (delivery.tls_policy_file / delivery.tls_policy),
// with delivery.tls for every domain the table does not name. One entry per line:
//
//   DOMAIN MODE          e.g.  partner.example required
//                              *.branch.example,opportunistic
//                              *                off
//
// DOMAIN is written as in the gateway table (gateway_table.hpp): `*` stands for any
// run of characters, and `*` alone for every domain. MODE is off, opportunistic
// (STARTTLS when offered, certificate not checked) or required (STARTTLS or implicit
// TLS, the certificate verified against delivery.tls_ca_file and the host's name; no
// plaintext fallback). Blanks or a comma separate the two fields. A line whose first
// non-blank character is `#` or `'` is a comment; blank lines are skipped. The first
// entry that matches wins.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/delivery/smtp_client.hpp"

namespace dirmail::delivery {

inline constexpr std::size_t kMaxTlsPolicyBytes = 1024 * 1024;
inline constexpr std::size_t kMaxTlsPolicyEntries = 10000;
inline constexpr std::size_t kMaxTlsPolicyLineBytes = 1000;

// "off", "opportunistic" or "required" (any case); nullopt otherwise. The table never
// names implicit TLS: that is a property of a gateway's port ("465*").
std::optional<TlsMode> parse_tls_policy_mode(std::string_view text);

// "off", "opportunistic", "required" or "implicit".
std::string_view to_string(TlsMode mode);

struct TlsPolicyEntry {
  std::string origin;   // "FILE:LINE" or "SETTING[INDEX]"
  std::string pattern;  // lower case; may hold '*'
  TlsMode mode = TlsMode::opportunistic;
};

class TlsPolicy {
 public:
  TlsPolicy() = default;  // opportunistic TLS for every domain
  TlsPolicy(std::vector<TlsPolicyEntry> entries, TlsMode fallback)
      : entries_(std::move(entries)), fallback_(fallback) {}

  // The first entry matching `domain` (any case, a trailing dot ignored); null if none.
  const TlsPolicyEntry* find(std::string_view domain) const;
  // That entry's mode, else the fallback (delivery.tls).
  TlsMode mode_for(std::string_view domain) const;

  const std::vector<TlsPolicyEntry>& entries() const { return entries_; }
  TlsMode fallback() const { return fallback_; }

 private:
  std::vector<TlsPolicyEntry> entries_;
  TlsMode fallback_ = TlsMode::opportunistic;
};

// The table file's text; `name` (the file's path) prefixes errors: "NAME:LINE: reason".
// limit_exceeded over kMaxTlsPolicyBytes, kMaxTlsPolicyEntries or kMaxTlsPolicyLineBytes.
Result<TlsPolicy> parse_tls_policy(std::string_view text, std::string_view name, TlsMode fallback);

// The table as a settings list, one entry per element; errors "NAME[INDEX]: reason".
Result<TlsPolicy> parse_tls_policy_list(const std::vector<std::string>& entries, std::string_view name,
                                        TlsMode fallback);

}  // namespace dirmail::delivery
