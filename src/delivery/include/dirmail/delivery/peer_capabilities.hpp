#pragma once
// What a peer's EHLO reply offers (RFC 5321 §4.1.1.1): the service extensions the
// outbound client uses. Unknown keywords are ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/delivery/smtp_reply.hpp"

namespace dirmail::delivery {

struct PeerCapabilities {
  bool esmtp = false;  // the peer answered EHLO (not only HELO)
  // SIZE (RFC 1870): offered at all; its limit in octets, 0 when none is announced.
  bool size = false;
  std::uint64_t size_limit = 0;
  bool pipelining = false;            // RFC 2920
  bool eight_bit_mime = false;        // 8BITMIME, RFC 6152
  bool smtputf8 = false;              // RFC 6531
  bool dsn = false;                   // RFC 3461
  bool starttls = false;              // RFC 3207
  bool chunking = false;              // RFC 3030
  bool enhanced_status_codes = false; // RFC 2034
  std::vector<std::string> auth_mechanisms;  // upper case, as offered (RFC 4954)

  bool offers_auth(std::string_view mechanism) const;
};

// The capabilities in a 250 EHLO reply; the first line (the peer's name) is skipped.
// At most 32 AUTH mechanisms of at most 40 characters each are kept.
PeerCapabilities parse_ehlo_reply(const SmtpReply& reply);

}  // namespace dirmail::delivery
