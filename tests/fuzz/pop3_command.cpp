// Fuzzes POP3 command lines (parse_pop3_command).
#include <array>

#include "dirmail/base/strings.hpp"
#include "dirmail/pop3/command.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using dirmail::pop3::Pop3Verb;

constexpr std::array<std::pair<std::string_view, Pop3Verb>, 15> kVerbs{{
    {"USER", Pop3Verb::user}, {"PASS", Pop3Verb::pass}, {"QUIT", Pop3Verb::quit}, {"STAT", Pop3Verb::stat},
    {"LIST", Pop3Verb::list}, {"RETR", Pop3Verb::retr}, {"DELE", Pop3Verb::dele}, {"NOOP", Pop3Verb::noop},
    {"RSET", Pop3Verb::rset}, {"TOP", Pop3Verb::top},   {"UIDL", Pop3Verb::uidl}, {"CAPA", Pop3Verb::capa},
    {"APOP", Pop3Verb::apop}, {"AUTH", Pop3Verb::auth}, {"STLS", Pop3Verb::stls},
}};

Pop3Verb expected_verb(std::string_view line) {
  std::string_view word = line.substr(0, line.find(' '));
  for (const auto& [name, verb] : kVerbs)
    if (iequals(word, name)) return verb;
  return Pop3Verb::unknown;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line = fuzz::as_view(data, size);
  auto command = pop3::parse_pop3_command(line);
  if (line.size() > pop3::max_pop3_line) {
    FUZZ_CHECK(!command.ok());
    FUZZ_CHECK(command.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (line.find('\0') != std::string_view::npos) {
    FUZZ_CHECK(!command.ok());
    return 0;
  }
  const Pop3Verb expected = expected_verb(line);
  const auto space = line.find(' ');
  const std::string_view after_space = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (!command.ok()) {
    // The only other refusal: an argument word over 40 octets, for verbs that split
    // (not AUTH, whose initial response is bound by the line only).
    FUZZ_CHECK(command.error().code == ErrorCode::invalid_argument);
    FUZZ_CHECK(expected != Pop3Verb::unknown && expected != Pop3Verb::pass && expected != Pop3Verb::auth);
    bool long_word = false;
    for (auto part : split(trim(after_space), ' ')) long_word = long_word || part.size() > pop3::max_pop3_arg;
    FUZZ_CHECK(long_word);
    return 0;
  }
  FUZZ_CHECK(command->verb == expected);
  FUZZ_CHECK(fuzz::within(command->arg, line));
  if (expected == Pop3Verb::pass || expected == Pop3Verb::unknown) {
    // PASS keeps the rest of the line byte for byte (passwords may have spaces).
    FUZZ_CHECK(command->arg == after_space);
  } else {
    FUZZ_CHECK(command->arg == trim(after_space));
    if (expected != Pop3Verb::auth)
      for (auto part : split(command->arg, ' ')) FUZZ_CHECK(part.size() <= pop3::max_pop3_arg);
  }
  return 0;
}
