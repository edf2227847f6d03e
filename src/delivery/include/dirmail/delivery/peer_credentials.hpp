#pragma once
// Credentials for outbound AUTH (the original's "Send with ESMTP" with its USER ID and
// PASSWORD), read from delivery.auth_credentials_file, a file only its owner may read.
// One entry per line:
//
//   HOST USER PASSWORD      e.g.  smtp.isp.example  branch01@isp.example  pass phrase
//                                 *                 relay                 s3cret
//
// HOST is a gateway host as written in delivery.smtp_gateway or the gateway table
// (without its port), or the name of an MX host. `*` stands for every gateway (the
// smart host and each gateway table entry) but never for an MX host found in DNS: the
// password must not go to whatever host a domain's MX records name. An entry for the
// host itself wins over `*`; a host given twice is an error. USER has no blanks;
// PASSWORD is the rest of the line without the blanks around it. A line whose first
// non-blank character is `#` is a comment; blank lines are skipped. Errors name the
// line, never its password.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::delivery {

inline constexpr std::size_t kMaxPeerCredentialsBytes = 64 * 1024;
inline constexpr std::size_t kMaxPeerCredentialsEntries = 1000;
inline constexpr std::size_t kMaxPeerCredentialsLineBytes = 1000;

struct PeerCredentialsEntry {
  std::string origin;  // "FILE:LINE"
  std::string host;    // lower case, an IPv6 literal without brackets; "*": every gateway
  std::string user;
  std::string password;
};

class PeerCredentials {
 public:
  PeerCredentials() = default;
  explicit PeerCredentials(std::vector<PeerCredentialsEntry> entries) : entries_(std::move(entries)) {}

  // The entry for `host` (a host name in any case, with or without the final dot, or
  // an IP literal). `gateway`: the host is a fixed gateway, which `*` covers too. Null
  // if none.
  const PeerCredentialsEntry* find(std::string_view host, bool gateway) const;

  const std::vector<PeerCredentialsEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<PeerCredentialsEntry> entries_;
};

// The file's text; `name` (the file's path) prefixes errors: "NAME:LINE: reason".
// limit_exceeded over kMaxPeerCredentialsBytes, kMaxPeerCredentialsEntries or
// kMaxPeerCredentialsLineBytes.
Result<PeerCredentials> parse_peer_credentials(std::string_view text, std::string_view name);

}  // namespace dirmail::delivery
