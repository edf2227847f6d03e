#pragma once
// Flags as IMAP writes them (RFC 3501 §2.3.2): "(\Seen \Deleted $Work)".
#include <cstdint>
#include <span>
#include <string>

namespace dirmail::imap {

// Every system flag the store keeps, for FLAGS and PERMANENTFLAGS.
inline constexpr const char* all_flags_list = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

// A parenthesised list of the store::Flag bits that are set.
std::string format_flag_list(std::uint8_t flags);

// A message's flags: the system flags, \Recent, then the keywords whose bits are set
// in `keywords` (bit i names keyword_names[i]).
std::string format_flag_list(std::uint8_t flags, bool recent, std::uint64_t keywords,
                             std::span<const std::string> keyword_names);

// FLAGS and PERMANENTFLAGS of a folder: the system flags and its keywords; with
// `new_keywords` also "\*" (clients may define more, RFC 3501 §7.1).
std::string format_folder_flags(std::span<const std::string> keyword_names, bool new_keywords);

}  // namespace dirmail::imap
