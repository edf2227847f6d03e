#pragma once
// Auto-replies (IMS.CTL [AutoReply]) by the rules of RFC 3834: never to the null
// sender, to mailing lists, bulk mail, other automatic mail or mailer daemons; the
// reply itself comes from the null sender with Auto-Submitted: auto-replied, so that
// nothing answers it in turn.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/features/mail_control.hpp"

namespace dirmail::features {

// Why the message from `sender` with this header block gets no auto-reply (for the
// log), or empty when it may get one.
std::string auto_reply_refusal(std::string_view sender, std::string_view header);

struct AutoReplyInput {
  std::string user_address;      // the account that answers
  std::string to;                // the original's envelope sender
  std::string original_header;   // the original's header block
  std::string text;              // AUTORPLY.TXT, as written (any of to_utf8()'s encodings)
  std::string echo;              // EchoMessage: the original (header and body), or empty
  std::string hostname;          // for the Message-ID
  std::int64_t now = 0;
};

// The reply message (CRLF line ends, MIME, UTF-8).
std::string compose_auto_reply(const AutoReplyControl& control, const AutoReplyInput& in);

// An RFC 2047 encoded word for a header value that is not ASCII; ASCII stays as it is.
std::string encode_header_text(std::string_view utf8);

}  // namespace dirmail::features
