#pragma once
// The values a delivery report writes, made safe from untrusted input (a peer's
// reply, the client's ENVID and ORCPT), and the one-per-recipient record that the
// machine-readable part and the human-readable text are both written from.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/queue/delivery_report.hpp"

namespace dirmail::queue::report {

// Longest value a report field carries: with its name and a fold, a line stays far
// below RFC 5322's 998 octets.
inline constexpr std::size_t max_field_value = 900;

struct ReportedRecipient {
  ReportAction action = ReportAction::failed;
  std::string final_recipient;     // "rfc822; addr" or "utf-8; addr"
  std::string address;             // the address alone, for the text
  std::string original_recipient;  // "type; addr" from ORCPT, or ""
  std::string status;              // a valid RFC 3463 code of the action's class
  std::string diagnostic;          // the reason, one line, or ""
  std::string diagnostic_type;     // "smtp", ...
  std::string remote_mta;          // a host name, or ""
  std::int64_t last_attempt = 0;
  std::int64_t retry_until = 0;
};

// One line: control characters become spaces, runs of white space one space, at
// most `max` octets (never cutting a UTF-8 character). Octets above 127 stay only
// when `allow_utf8` and the text is valid UTF-8; otherwise they become '?'.
std::string one_line(std::string_view text, bool allow_utf8, std::size_t max = max_field_value);

// `status` when it is an RFC 3463 code whose class fits `action` (failed: 4 or 5,
// delayed: 4, others: 2), else the action's generic code.
std::string status_for(ReportAction action, std::string_view status);

// "type; address" for an ORCPT value "type;xtext" (xtext decoded; for type utf-8
// also its \x{HH..} escapes, RFC 6533 §3), or "" when it is malformed.
std::string original_recipient(std::string_view orcpt);

// "Name: value\r\n", folded at spaces so that lines stay near 78 octets.
std::string header_line(std::string_view name, std::string_view value);

ReportedRecipient reported_recipient(const Envelope& original, const RecipientOutcome& outcome);

}  // namespace dirmail::queue::report
