#pragma once
// One line of effect.dat (or one smtp.relay_rules entry), without its line break: the
// syntax rules of relay_rules.hpp's file comment. Private to the smtp library.
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/smtp/relay_rule.hpp"

namespace dirmail::smtp {

struct RelayRuleLine {
  enum class Kind { blank, comment, rule };
  Kind kind = Kind::blank;
  RelayPattern pattern;  // kind rule
  RelayAction action = RelayAction::allow;
  bool host_bits_set = false;  // a CIDR base with bits below the prefix
};

// invalid_argument or limit_exceeded with the bare reason (the caller adds NAME:LINE).
Result<RelayRuleLine> parse_relay_rule_line(std::string_view line);

// Blank or a comment, judged cheaply (for the lines after "only", which are not parsed).
bool is_blank_or_comment(std::string_view line);

}  // namespace dirmail::smtp
