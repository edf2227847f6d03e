#pragma once
// The human-readable first part of a delivery report (RFC 3464 §1.3, RFC 6522): what
// happened to which recipient, in English with a Japanese line for each section.
#include <span>
#include <string>
#include <string_view>

#include "report_fields.hpp"

namespace dirmail::queue::report {

struct TextFacts {
  std::string_view reporting_mta;
  std::size_t omitted = 0;      // recipients left out of the listing (max_recipients)
  bool returns_whole = false;   // the third part holds the whole message, not its header
};

// UTF-8 text with CRLF line ends.
std::string human_text(std::span<const ReportedRecipient> recipients, const TextFacts& facts);

}  // namespace dirmail::queue::report
