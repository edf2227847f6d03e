#include "dirmail/imap/imap_string.hpp"

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::imap {
namespace {

constexpr std::size_t max_quoted = 1024;

bool quotable(std::string_view s) {
  if (s.size() > max_quoted) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x1f || u >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

void append_string(std::string& out, std::string_view s) {
  if (!quotable(s)) {
    out += fmt::format("{{{}}}\r\n", s.size());
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_nstring(std::string& out, const std::optional<std::string>& s) {
  if (!s) {
    out.append("NIL");
    return;
  }
  append_string(out, *s);
}

void append_astring(std::string& out, std::string_view s) {
  bool atom = !s.empty();
  for (char c : s)
    if (!is_atom_char(c)) atom = false;
  if (atom && !iequals(s, "NIL")) {
    out.append(s);
    return;
  }
  append_string(out, s);
}

}  // namespace dirmail::imap
