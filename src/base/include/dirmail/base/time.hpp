#pragma once
#include <cstdint>
#include <string>

namespace dirmail {

// "Fri, 27 Nov 2026 01:27:57 +0000" (RFC 5322 §3.3), in UTC.
std::string rfc5322_date(std::int64_t unix_seconds);
std::int64_t unix_now();
// Milliseconds since the epoch (for records people read; never to order events across
// machines).
std::int64_t unix_now_ms();

}  // namespace dirmail
