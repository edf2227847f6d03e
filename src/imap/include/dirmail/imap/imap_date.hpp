#pragma once
// IMAP dates (RFC 3501 §9): INTERNALDATE's date-time and SEARCH's date.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::imap {

// "17-Jul-1996 02:44:25 +0000" (date-day-fixed: a space before a one-digit day), in
// UTC, without the surrounding quotes.
std::string format_internal_date(std::int64_t unix_seconds);

// SEARCH's date "1-Feb-1994" (day 1 or 2 digits, month name in any case) as days since
// 1970-01-01; nullopt when malformed or out of range (years 1900-9999).
std::optional<std::int64_t> parse_search_date(std::string_view text);

// APPEND's date-time "17-Jul-1996 02:44:25 -0700" (without the quotes; the day may
// also be " 7" or "7") as unix seconds; nullopt when malformed or, in UTC, outside the
// years 1900-9999.
std::optional<std::int64_t> parse_date_time(std::string_view text);

// The UTC day (days since 1970-01-01) a unix time falls on.
std::int64_t day_of(std::int64_t unix_seconds);

}  // namespace dirmail::imap
