#pragma once
// The Date header field (RFC 5322 §3.3, with the obsolete zone names of §4.3), for
// SORT DATE and THREAD: "Fri, 21 Nov 1997 09:55:06 -0600".
#include <cstdint>
#include <optional>
#include <string_view>

namespace dirmail::imap {

// Unix seconds (UTC), or nullopt when the value cannot be understood; lenient about
// white space, comments after the zone, a missing weekday or seconds, 2-digit years.
std::optional<std::int64_t> parse_message_date(std::string_view value);

}  // namespace dirmail::imap
