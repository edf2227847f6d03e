#include "dirmail/pop3/command.hpp"

#include <array>

#include "dirmail/base/strings.hpp"

namespace dirmail::pop3 {

Result<Pop3Command> parse_pop3_command(std::string_view line) {
  static constexpr std::array<std::pair<std::string_view, Pop3Verb>, 15> verbs{{
      {"USER", Pop3Verb::user}, {"PASS", Pop3Verb::pass}, {"QUIT", Pop3Verb::quit}, {"STAT", Pop3Verb::stat},
      {"LIST", Pop3Verb::list}, {"RETR", Pop3Verb::retr}, {"DELE", Pop3Verb::dele}, {"NOOP", Pop3Verb::noop},
      {"RSET", Pop3Verb::rset}, {"TOP", Pop3Verb::top},   {"UIDL", Pop3Verb::uidl}, {"CAPA", Pop3Verb::capa},
      {"APOP", Pop3Verb::apop}, {"AUTH", Pop3Verb::auth}, {"STLS", Pop3Verb::stls},
  }};
  if (line.size() > max_pop3_line) return make_error(ErrorCode::limit_exceeded, "Line too long");
  for (char c : line)
    if (c == '\0') return make_error(ErrorCode::invalid_argument, "NUL in command");
  auto sp = line.find(' ');
  std::string_view word = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  for (const auto& [name, verb] : verbs) {
    if (!iequals(word, name)) continue;
    // PASS takes the rest of the line as is (passwords may have spaces); others are
    // trimmed. AUTH's initial response is bound by the line only (RFC 5034 §4).
    if (verb != Pop3Verb::pass) {
      arg = trim(arg);
      for (auto part : split(arg, ' '))
        if (verb != Pop3Verb::auth && part.size() > max_pop3_arg) return make_error(ErrorCode::invalid_argument, "Argument too long");
    }
    return Pop3Command{verb, arg};
  }
  return Pop3Command{Pop3Verb::unknown, arg};
}

}  // namespace dirmail::pop3
