#pragma once
// FETCH BODYSTRUCTURE and BODY (RFC 3501 §7.4.2) for this milestone: every message is
// described as ONE non-multipart part, typed from its Content-Type header field.
// A multipart or message/rfc822 message is described as text/plain (all its bytes in
// one part): a full MIME structure comes with the MIME parser in a later milestone.
#include <cstdint>
#include <string>
#include <string_view>

namespace dirmail::imap {

inline constexpr std::size_t max_content_type_params = 20;

// `body_size`: bytes after the header block; `body_lines`: its line count.
// `extensible`: BODYSTRUCTURE (with extension data) rather than BODY.
std::string format_body_structure(std::string_view header, std::uint64_t body_size, std::uint64_t body_lines,
                                  bool extensible);

}  // namespace dirmail::imap
