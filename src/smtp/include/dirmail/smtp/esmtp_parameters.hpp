#pragma once
// The ESMTP parameters of MAIL FROM and RCPT TO that dirmail announces: SIZE
// (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET/ENVID and NOTIFY/ORCPT
// (DSN, RFC 3461), and AUTH= (RFC 4954 §5). A refusal carries the whole SMTP reply.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::smtp {

inline constexpr std::size_t max_envid = 100;  // RFC 3461 §4.4
inline constexpr std::size_t max_orcpt = 500;  // RFC 3461 §4.2

using EsmtpParams = std::vector<std::pair<std::string, std::string>>;  // KEY upper-cased, value as sent

struct MailParameters {
  std::optional<std::uint64_t> size;
  std::string body;  // "7BIT" or "8BITMIME"; empty when not given
  bool smtputf8 = false;
  std::string ret;    // "FULL" or "HDRS"
  std::string envid;  // xtext, as sent
};

struct RcptParameters {
  std::string notify;  // "NEVER" or SUCCESS/FAILURE/DELAY joined by commas, upper case
  std::string orcpt;   // "addr-type;xtext", as sent
};

// `esmtp`: the client said EHLO (after HELO every parameter is refused).
// The error's message is the reply to send: "555 5.5.4 ..." for a parameter we do not
// know, "501 5.5.4 ..." for a known one with a bad or repeated value.
Result<MailParameters> parse_mail_parameters(const EsmtpParams& params, bool esmtp);
Result<RcptParameters> parse_rcpt_parameters(const EsmtpParams& params, bool esmtp);

// xtext (RFC 3461 §4): printable ASCII but "+" and "=", with "+HH" for any other octet.
bool valid_xtext(std::string_view text);

}  // namespace dirmail::smtp
