#pragma once
// The system flags (RFC 3501 §2.3.2) as IMAP writes them: "(\Seen \Deleted)".
#include <cstdint>
#include <string>

namespace dirmail::imap {

// Every flag the store keeps, for FLAGS and PERMANENTFLAGS.
inline constexpr const char* all_flags_list = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

// A parenthesised list of the store::Flag bits that are set.
std::string format_flag_list(std::uint8_t flags);

}  // namespace dirmail::imap
