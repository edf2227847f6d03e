#pragma once
// The Received: header field dirmail adds to every accepted message, from a template
// (smtp.received_template; the original kept it in header.dat). The template is the
// field body with placeholders; a line break in it folds the field (CR LF TAB):
//   %HELO%       the name the client gave in EHLO/HELO
//   %CLIENT_IP%  the client's address (no DNS lookup is made)
//   %HOST%       server.hostname
//   %PROTOCOL%   SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP... (RFC 3848, RFC 6531)
//   %TLS%        "TLS1.3 TLS_AES_256_GCM_SHA384" or "" without TLS
//   %ID%         the queue id
//   %FOR%        "\r\n\tfor <rcpt>" with one recipient, "" otherwise
//   %DATE%       the RFC 5322 date
//   %%           a percent sign
// Values from the client are stripped of control characters, so nothing the client
// says can end the field or start another (header injection).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::smtp {

inline constexpr std::size_t max_received_template = 2000;
inline constexpr std::string_view default_received_template =
    "from %HELO% ([%CLIENT_IP%])\n by %HOST% (dirmail) with %PROTOCOL% id %ID%%FOR%; %DATE%";

struct ReceivedValues {
  std::string helo, client_ip, host, protocol, tls, id, recipient, date;
};

class ReceivedTemplate {
 public:
  // invalid_argument naming the problem: an unknown placeholder, a lone %, control
  // characters, an empty or over-long template.
  static Result<ReceivedTemplate> parse(std::string_view text);
  // "Received: ...\r\n"
  std::string render(const ReceivedValues& values) const;

 private:
  enum class Part { text, helo, client_ip, host, protocol, tls, id, for_clause, date, fold };
  std::vector<std::pair<Part, std::string>> parts_;
};

}  // namespace dirmail::smtp
