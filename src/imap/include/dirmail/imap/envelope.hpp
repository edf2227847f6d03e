#pragma once
// FETCH ENVELOPE (RFC 3501 §7.4.2) from a message's header block.
#include <string>
#include <string_view>

namespace dirmail::imap {

// "(date subject (from) (sender) (reply-to) (to) (cc) (bcc) in-reply-to message-id)".
// Sender and Reply-To default to From when absent, as RFC 3501 asks.
std::string format_envelope(std::string_view header);

}  // namespace dirmail::imap
