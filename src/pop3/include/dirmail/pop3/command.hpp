#pragma once
// POP3 command lines (RFC 1939, RFC 2449: at most 255 octets with CRLF; keywords
// 3 or 4 characters, arguments up to 40 characters each).
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::pop3 {

inline constexpr std::size_t max_pop3_line = 255;
inline constexpr std::size_t max_pop3_arg = 40;

enum class Pop3Verb { user, pass, quit, stat, list, retr, dele, noop, rset, top, uidl, capa, apop, auth, stls, unknown };

struct Pop3Command {
  Pop3Verb verb = Pop3Verb::unknown;
  std::string_view arg;  // everything after the keyword and one space (PASS may contain spaces)
};

Result<Pop3Command> parse_pop3_command(std::string_view line);

}  // namespace dirmail::pop3
