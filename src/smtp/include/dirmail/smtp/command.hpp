#pragma once
// SMTP command lines (RFC 5321 §4.1): the verb and its argument, and the
// MAIL FROM / RCPT TO paths with their ESMTP parameters.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::smtp {

// RFC 5321 §4.5.3.1: command lines up to 512 octets; we allow room for extensions.
inline constexpr std::size_t max_command_line = 2048;
inline constexpr std::size_t max_local_part = 64;
inline constexpr std::size_t max_domain = 255;
inline constexpr std::size_t max_path = 256;
inline constexpr std::size_t max_params = 16;

enum class Verb { helo, ehlo, mail, rcpt, data, rset, noop, quit, vrfy, expn, help, auth, starttls, bdat, unknown };

struct Command {
  Verb verb = Verb::unknown;
  std::string_view arg;  // the rest of the line after the verb (and for MAIL/RCPT after "FROM:"/"TO:")
};

// Splits a command line. invalid_argument: syntax error in the verb part.
Result<Command> parse_command(std::string_view line);

struct Path {
  std::string local;   // as written (dot-string or quoted string)
  std::string domain;  // lower case; empty for the null reverse path
  bool null() const { return local.empty() && domain.empty(); }
  std::string address() const { return null() ? std::string() : local + "@" + domain; }
};

struct PathWithParams {
  Path path;
  std::vector<std::pair<std::string, std::string>> params;  // keyword upper-cased, value as written
};

// "<local@domain> [KEY=VALUE ...]" after MAIL FROM:. The null path <> is allowed.
Result<PathWithParams> parse_reverse_path(std::string_view arg);
// "<local@domain> [KEY=VALUE ...]" after RCPT TO:. <postmaster> alone is allowed.
Result<PathWithParams> parse_forward_path(std::string_view arg);

}  // namespace dirmail::smtp
