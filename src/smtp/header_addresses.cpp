#include "header_addresses.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::smtp {
namespace {

// One mailbox: the part in <> if any, else the text without comments.
std::string mailbox_address(std::string_view text) {
  auto open = text.rfind('<');
  if (open != std::string_view::npos) {
    auto close = text.find('>', open);
    return to_lower(trim(text.substr(open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1)));
  }
  std::string plain;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) plain += c;
  }
  return to_lower(trim(plain));
}

}  // namespace

std::vector<std::string> header_addresses(std::string_view value) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false, angle = false;
  int comment = 0;
  auto flush = [&] {
    std::string a = mailbox_address(current);
    current.clear();
    if (a.find('@') != std::string::npos && out.size() < max_header_addresses) out.push_back(std::move(a));
  };
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (quoted) {
      if (c == '\\') ++i;  // the escaped character is part of the display name: skipped
      else if (c == '"') quoted = false;
      continue;  // display names never hold the address
    }
    if (c == '"' && !angle && comment == 0) {
      quoted = true;
      continue;
    }
    if (!angle && (c == '(' || comment > 0)) {
      // Comments are dropped whole, with what they hold ("<a@b>", "\)"): RFC 5322 §3.2.2.
      if (c == '\\') ++i;
      else if (c == '(') ++comment;
      else if (c == ')') --comment;
      continue;
    }
    if (c == '<' && comment == 0) angle = true;
    if (c == '>' && angle) angle = false;
    if (!angle && comment == 0 && (c == ',' || c == ';')) {
      flush();
      continue;
    }
    if (!angle && comment == 0 && c == ':') {  // "group: a@b, c@d;": the group name goes
      current.clear();
      continue;
    }
    current += c;
  }
  flush();
  return out;
}

}  // namespace dirmail::smtp
