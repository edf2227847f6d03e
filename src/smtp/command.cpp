#include "dirmail/smtp/command.hpp"

#include <array>
#include <cctype>

#include "dirmail/base/strings.hpp"

namespace dirmail::smtp {
namespace {

struct VerbName {
  std::string_view name;
  Verb verb;
};
constexpr std::array<VerbName, 14> verbs{{{"HELO", Verb::helo}, {"EHLO", Verb::ehlo}, {"MAIL", Verb::mail},
                                           {"RCPT", Verb::rcpt}, {"DATA", Verb::data}, {"RSET", Verb::rset},
                                           {"NOOP", Verb::noop}, {"QUIT", Verb::quit}, {"VRFY", Verb::vrfy},
                                           {"EXPN", Verb::expn}, {"HELP", Verb::help}, {"AUTH", Verb::auth},
                                           {"STARTTLS", Verb::starttls}, {"BDAT", Verb::bdat}}};

Error syntax(std::string msg) { return make_error(ErrorCode::invalid_argument, std::move(msg)); }

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      // RFC 6531: UTF-8 is allowed in addresses (SMTPUTF8); accept 8-bit octets.
      return static_cast<unsigned char>(c) >= 0x80;
  }
}

bool valid_dot_string(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool valid_quoted_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      ++i;
      if (i + 1 >= s.size()) return false;
      unsigned char q = static_cast<unsigned char>(s[i]);
      if (q < 32 || q > 126) return false;
    } else if (c < 32 || c == 127 || c == '"') {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > max_domain) return false;
  if (d.front() == '[') {  // address literal: [1.2.3.4] or [IPv6:...]
    if (d.back() != ']' || d.size() < 3) return false;
    for (char c : d.substr(1, d.size() - 2))
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':')) return false;
    return true;
  }
  for (auto label : split(d, '.')) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || static_cast<unsigned char>(c) >= 0x80;
      if (!ok) return false;
    }
  }
  return true;
}

// Parses "<...>" at the start of arg; returns the path text and the rest.
Result<std::pair<std::string_view, std::string_view>> bracketed(std::string_view arg) {
  arg = trim(arg);
  if (arg.empty() || arg.front() != '<') return syntax("the address must be enclosed in <>");
  // A quoted local part may contain '>': find the closing bracket outside quotes.
  bool quoted = false;
  for (size_t i = 1; i < arg.size(); ++i) {
    char c = arg[i];
    if (quoted && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '>') return std::pair{arg.substr(1, i - 1), arg.substr(i + 1)};
  }
  return syntax("missing > after the address");
}

Result<Path> parse_mailbox(std::string_view s) {
  if (s.size() > max_path) return make_error(ErrorCode::limit_exceeded, "path too long");
  if (!valid_utf8(s)) return syntax("the address is not valid UTF-8");
  // Source routes (@a,@b:user@d) are obsolete; RFC 5321 says accept and ignore them.
  if (!s.empty() && s.front() == '@') {
    auto colon = s.find(':');
    if (colon == std::string_view::npos) return syntax("bad source route");
    s = s.substr(colon + 1);
  }
  auto at = s.rfind('@');
  if (at == std::string_view::npos) return syntax("the address needs a domain");
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.size() > max_local_part) return make_error(ErrorCode::limit_exceeded, "local part too long");
  if (!valid_dot_string(local) && !valid_quoted_string(local)) return syntax("bad local part");
  if (!valid_domain(domain)) return syntax("bad domain");
  return Path{std::string(local), to_lower(domain)};
}

Result<std::vector<std::pair<std::string, std::string>>> parse_params(std::string_view rest) {
  std::vector<std::pair<std::string, std::string>> params;
  rest = trim(rest);
  if (rest.empty()) return params;
  for (auto word : split(rest, ' ')) {
    if (word.empty()) continue;
    if (params.size() >= max_params) return make_error(ErrorCode::limit_exceeded, "too many parameters");
    auto eq = word.find('=');
    std::string_view key = word.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : word.substr(eq + 1);
    if (key.empty()) return syntax("empty parameter name");
    for (char c : key)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return syntax("bad parameter name");
    for (char c : value)
      if (static_cast<unsigned char>(c) < 33 || c == '=' || c == 127) return syntax("bad parameter value");
    std::string upper(key);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    params.emplace_back(std::move(upper), std::string(value));
  }
  return params;
}

}  // namespace

Result<Command> parse_command(std::string_view line) {
  if (line.size() > max_command_line) return make_error(ErrorCode::limit_exceeded, "line too long");
  size_t sp = line.find(' ');
  std::string_view word = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  for (const auto& v : verbs) {
    if (!iequals(word, v.name)) continue;
    if (v.verb == Verb::mail || v.verb == Verb::rcpt) {
      std::string_view keyword = v.verb == Verb::mail ? "FROM:" : "TO:";
      std::string_view a = trim(arg);
      if (!istarts_with(a, keyword)) return syntax(std::string("expected ") + std::string(keyword));
      return Command{v.verb, trim(a.substr(keyword.size()))};
    }
    return Command{v.verb, trim(arg)};
  }
  return Command{Verb::unknown, trim(arg)};
}

Result<PathWithParams> parse_reverse_path(std::string_view arg) {
  auto b = bracketed(arg);
  if (!b) return std::move(b).error();
  auto [inner, rest] = *b;
  auto params = parse_params(rest);
  if (!params) return std::move(params).error();
  if (inner.empty()) return PathWithParams{Path{}, std::move(*params)};
  auto path = parse_mailbox(inner);
  if (!path) return std::move(path).error();
  return PathWithParams{std::move(*path), std::move(*params)};
}

Result<PathWithParams> parse_forward_path(std::string_view arg) {
  auto b = bracketed(arg);
  if (!b) return std::move(b).error();
  auto [inner, rest] = *b;
  auto params = parse_params(rest);
  if (!params) return std::move(params).error();
  if (iequals(inner, "postmaster")) return PathWithParams{Path{"postmaster", ""}, std::move(*params)};
  if (inner.empty()) return syntax("empty recipient");
  auto path = parse_mailbox(inner);
  if (!path) return std::move(path).error();
  return PathWithParams{std::move(*path), std::move(*params)};
}

}  // namespace dirmail::smtp
