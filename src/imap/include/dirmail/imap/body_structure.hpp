#pragma once
// FETCH BODYSTRUCTURE and BODY (RFC 3501 §7.4.2) from a message's MIME structure:
// multiparts with their parts, message/rfc822 parts with the encapsulated message's
// envelope and structure, and (BODYSTRUCTURE) the extension data.
#include <string>

#include "dirmail/imap/mime_structure.hpp"

namespace dirmail::imap {

// `extensible`: BODYSTRUCTURE (with extension data) rather than BODY.
std::string format_body_structure(const MimePart& part, bool extensible);

}  // namespace dirmail::imap
