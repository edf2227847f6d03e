#pragma once
// RFC 2047 encoded words in header field values ("=?ISO-2022-JP?B?...?="), decoded to
// UTF-8: what SORT, THREAD and SEARCH compare (RFC 5256 §2.1, RFC 3501 §6.4.4).
#include <string>
#include <string_view>

namespace dirmail {

inline constexpr std::size_t max_encoded_word = 1000;  // RFC 2047 says 75; mailers exceed it

// The value with each well-formed encoded word replaced by its text in UTF-8. White
// space between two encoded words goes (RFC 2047 §6.2); adjacent words of one charset
// are joined before conversion, so a character split between them survives. A word
// with an unknown charset, a bad encoding or over max_encoded_word stays as written.
// Bytes outside encoded words that are not UTF-8 become U+FFFD.
std::string decode_encoded_words(std::string_view value);

}  // namespace dirmail
