// Fuzzes an SMTP command line the way the session reads it: parse_command, then for
// MAIL and RCPT the path parser on the argument.
#include <array>

#include "dirmail/base/strings.hpp"
#include "dirmail/smtp/command.hpp"
#include "fuzz_check.hpp"
#include "smtp_path_check.hpp"

namespace {

using namespace dirmail;
using dirmail::smtp::Verb;

constexpr std::array<std::pair<std::string_view, Verb>, 14> kVerbs{{
    {"HELO", Verb::helo}, {"EHLO", Verb::ehlo}, {"MAIL", Verb::mail}, {"RCPT", Verb::rcpt},
    {"DATA", Verb::data}, {"RSET", Verb::rset}, {"NOOP", Verb::noop}, {"QUIT", Verb::quit},
    {"VRFY", Verb::vrfy}, {"EXPN", Verb::expn}, {"HELP", Verb::help}, {"AUTH", Verb::auth},
    {"STARTTLS", Verb::starttls}, {"BDAT", Verb::bdat},
}};

// The verb the first word names, independently of the parser.
Verb expected_verb(std::string_view line) {
  std::string_view word = line.substr(0, line.find(' '));
  for (const auto& [name, verb] : kVerbs)
    if (iequals(word, name)) return verb;
  return Verb::unknown;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line = fuzz::as_view(data, size);
  auto command = smtp::parse_command(line);
  if (line.size() > smtp::max_command_line) {
    FUZZ_CHECK(!command.ok());
    FUZZ_CHECK(command.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  const Verb expected = expected_verb(line);
  if (!command.ok()) {
    // Only MAIL and RCPT have syntax in the verb part ("FROM:" / "TO:").
    FUZZ_CHECK(command.error().code == ErrorCode::invalid_argument);
    FUZZ_CHECK(expected == Verb::mail || expected == Verb::rcpt);
    return 0;
  }
  FUZZ_CHECK(command->verb == expected);
  const std::string_view arg = command->arg;
  FUZZ_CHECK(fuzz::within(arg, line));
  if (!arg.empty()) FUZZ_CHECK(!is_blank(arg.front()) && !is_blank(arg.back()));
  if (expected == Verb::mail || expected == Verb::rcpt) {
    // The keyword sits between the verb and the argument.
    std::string_view keyword = expected == Verb::mail ? "FROM:" : "TO:";
    std::string_view after_verb = trim(line.substr(4));
    FUZZ_CHECK(istarts_with(after_verb, keyword));
  }

  if (command->verb == Verb::mail) {
    auto path = smtp::parse_reverse_path(arg);
    if (path) fuzz::check_parsed_path(*path, false);
    else fuzz::check_path_error(path.error());
  } else if (command->verb == Verb::rcpt) {
    auto path = smtp::parse_forward_path(arg);
    if (path) fuzz::check_parsed_path(*path, true);
    else fuzz::check_path_error(path.error());
  }
  return 0;
}
