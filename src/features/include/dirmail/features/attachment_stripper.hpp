#pragma once
// IMS.CTL DeleteAttachments: the message without its attachments, for a forward. Parts
// that are attachments (Content-Disposition: attachment, or a file name) are left out
// of every multipart, at any depth; the text parts, the header and the structure stay.
// GMime does the MIME parsing (RFC 2045/2046).
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::features {

struct StrippedMessage {
  std::string bytes;      // CRLF line ends
  std::size_t removed = 0;  // attachments left out
};

// `message` is a whole message (header and body). invalid_argument when it is no MIME
// message GMime can read.
Result<StrippedMessage> strip_attachments(std::string_view message);

}  // namespace dirmail::features
