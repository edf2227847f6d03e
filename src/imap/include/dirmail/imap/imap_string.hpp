#pragma once
// How server responses carry strings (RFC 3501 §4.3): a quoted string when the text
// allows it, otherwise a literal "{n}\r\n" followed by the bytes.
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::imap {

// Appends `s` as a quoted string, or as a literal when it holds CR, LF, NUL or 8-bit
// bytes, or is long (quoted strings are for short 7-bit text).
void append_string(std::string& out, std::string_view s);
// NIL for nullopt.
void append_nstring(std::string& out, const std::optional<std::string>& s);
// A mailbox name or atom-like word: bare when every byte is an ATOM-CHAR, else quoted/literal.
void append_astring(std::string& out, std::string_view s);

// RFC 3501 ATOM-CHAR: any CHAR except ( ) { SP CTL % * " \ ].
bool is_atom_char(char c);

}  // namespace dirmail::imap
