#include "relay_rule_line.hpp"

#include <array>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/smtp/relay_rules.hpp"

namespace dirmail::smtp {
namespace {

constexpr std::array<std::string_view, 5> token_words{"blank", "<>", "number", "nodomain", "host"};

Error syntax(std::string msg) { return make_error(ErrorCode::invalid_argument, std::move(msg)); }

bool is_comment(std::string_view line) { return line == "#" || line.starts_with("# "); }

// "# blank false" is a comment by the syntax, but surely meant as the token rule
// "#blank false": refusing it keeps a typo from silently disabling a rule.
bool reads_like_token_rule(std::string_view comment_text) {
  const auto sp = comment_text.find(' ');
  const std::string_view word = comment_text.substr(0, sp);
  const std::string_view rest = sp == std::string_view::npos ? std::string_view() : comment_text.substr(sp + 1);
  for (auto token : token_words) {
    if (!iequals(word, token)) continue;
    return rest.empty() || parse_relay_action(rest).has_value();
  }
  return false;
}

// The original wants one half-width space; a Japanese keyboard easily gives the
// full-width one (U+3000: E3 80 80 in UTF-8, 81 40 in Shift_JIS).
bool has_full_width_space(std::string_view line) {
  return line.find("\xE3\x80\x80") != std::string_view::npos || line.find("\x81\x40") != std::string_view::npos;
}

}  // namespace

bool is_blank_or_comment(std::string_view line) { return line.empty() || is_comment(line); }

Result<RelayRuleLine> parse_relay_rule_line(std::string_view line) {
  RelayRuleLine out;
  if (line.size() > max_relay_rule_line) {
    return make_error(ErrorCode::limit_exceeded,
                      "line longer than " + std::to_string(max_relay_rule_line) + " bytes");
  }
  if (line.empty()) return out;
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\t') return syntax("TAB is not allowed: separate pattern and action with exactly one space");
    if (u < 0x20 || u == 0x7f) {
      if (c == '\r') return syntax("a CR inside the line (only CRLF or LF end a line)");
      return syntax("control character " + escape_control(std::string_view(&c, 1)) + " in the line");
    }
  }
  if (is_comment(line)) {
    if (reads_like_token_rule(line.substr(std::min<std::size_t>(2, line.size())))) {
      return syntax("\"" + escape_control(line) +
                    "\" is a comment because of the space after #; for the token rule write it without the space");
    }
    out.kind = RelayRuleLine::Kind::comment;
    return out;
  }
  if (has_full_width_space(line)) return syntax("full-width space (全角スペース): use one half-width space");
  // Domains are ASCII (an IDN in its xn-- form); so, here, are local parts: a Shift_JIS
  // or UTF-8 byte in a rule is a mistake, not a pattern.
  for (char c : line)
    if (static_cast<unsigned char>(c) >= 0x80) return syntax("a non-ASCII byte outside a comment");
  if (line.front() == ' ') return syntax("the line starts with a space");
  if (line.back() == ' ') return syntax("trailing space at the end of the line");
  const auto sp = line.find(' ');
  const std::string_view pattern_text = line.substr(0, sp);
  const std::string_view action_text = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  if (action_text.find(' ') != std::string_view::npos)
    return syntax("more than one space: exactly one space separates pattern and action");

  auto action = parse_relay_action(action_text);
  if (!action) {
    return syntax("unknown action \"" + escape_control(action_text) +
                  "\" (none, true, false, default, norelay, norelay,0, norelay,2, only)");
  }
  auto pattern = parse_relay_pattern(pattern_text, out.host_bits_set);
  if (!pattern) return std::move(pattern).error();
  out.kind = RelayRuleLine::Kind::rule;
  out.pattern = std::move(*pattern);
  out.action = *action;
  return out;
}

}  // namespace dirmail::smtp
