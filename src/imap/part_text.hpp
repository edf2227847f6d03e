#pragma once
// The text a reader sees in a message's body, for SEARCH BODY and TEXT: each text part
// (at any depth, attached messages included) decoded from base64 or quoted-printable
// and converted from its charset to UTF-8, one part after another. Runs on the
// blocking pool.
#include <cstdint>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/imap/mime_structure.hpp"
#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {

inline constexpr std::size_t max_searched_part = 4 * 1024 * 1024;  // bytes of one part read
inline constexpr std::size_t max_searched_text = 8 * 1024 * 1024;  // text kept per message

// The decoded bytes of one part body (7bit, 8bit and binary are as they are).
std::string decode_transfer_encoding(std::string_view body, std::string_view encoding);

// The text of the message `reader` reads (from its start), whose structure is `root`.
Result<std::string> message_text(store::MessageReader& reader, const MimePart& root);

}  // namespace dirmail::imap
