#include "dirmail/imap/body_structure.hpp"

#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/base/header_fields.hpp"
#include "dirmail/imap/imap_string.hpp"

namespace dirmail::imap {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

bool token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

struct ContentType {
  std::string type = "TEXT";
  std::string subtype = "PLAIN";
  std::vector<std::pair<std::string, std::string>> params;
};

// "type/subtype; name=value; name="quoted value"" (RFC 2045 §5.1), comments ignored.
std::optional<ContentType> parse_content_type(std::string_view v) {
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < v.size()) {
      if (v[i] == ' ' || v[i] == '\t') {
        ++i;
      } else if (v[i] == '(') {  // comment, not nested deeper than we care
        while (i < v.size() && v[i] != ')') ++i;
        if (i < v.size()) ++i;
      } else {
        break;
      }
    }
  };
  auto token = [&] {
    std::size_t start = i;
    while (i < v.size() && token_char(v[i])) ++i;
    return v.substr(start, i - start);
  };
  ContentType ct;
  skip_space();
  auto type = token();
  skip_space();
  if (type.empty() || i >= v.size() || v[i] != '/') return std::nullopt;
  ++i;
  skip_space();
  auto subtype = token();
  if (subtype.empty()) return std::nullopt;
  ct.type = upper(type);
  ct.subtype = upper(subtype);
  for (;;) {
    skip_space();
    if (i >= v.size() || v[i] != ';') break;
    ++i;
    skip_space();
    auto name = token();
    skip_space();
    if (name.empty() || i >= v.size() || v[i] != '=') break;
    ++i;
    skip_space();
    std::string value;
    if (i < v.size() && v[i] == '"') {
      for (++i; i < v.size() && v[i] != '"'; ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        value.push_back(v[i]);
      }
      if (i < v.size()) ++i;
    } else {
      value = std::string(token());
    }
    if (ct.params.size() < max_content_type_params) ct.params.emplace_back(upper(name), std::move(value));
  }
  return ct;
}

}  // namespace

std::string format_body_structure(std::string_view header, std::uint64_t body_size, std::uint64_t body_lines,
                                  bool extensible) {
  ContentType ct;
  if (auto value = first_field_value(header, "Content-Type")) {
    if (auto parsed = parse_content_type(*value)) ct = std::move(*parsed);
  }
  if (ct.type == "MULTIPART" || ct.type == "MESSAGE") ct = ContentType{};  // one part until MIME parsing exists
  if (ct.type == "TEXT" && ct.params.empty()) ct.params.emplace_back("CHARSET", "US-ASCII");

  std::string out = "(";
  append_string(out, ct.type);
  out.push_back(' ');
  append_string(out, ct.subtype);
  out.push_back(' ');
  if (ct.params.empty()) {
    out.append("NIL");
  } else {
    out.push_back('(');
    for (std::size_t p = 0; p < ct.params.size(); ++p) {
      if (p) out.push_back(' ');
      append_string(out, ct.params[p].first);
      out.push_back(' ');
      append_string(out, ct.params[p].second);
    }
    out.push_back(')');
  }
  out.push_back(' ');
  append_nstring(out, first_field_value(header, "Content-ID"));
  out.push_back(' ');
  append_nstring(out, first_field_value(header, "Content-Description"));
  out.push_back(' ');
  auto encoding = first_field_value(header, "Content-Transfer-Encoding");
  append_string(out, encoding && !encoding->empty() ? upper(*encoding) : std::string("7BIT"));
  out += fmt::format(" {}", body_size);
  if (ct.type == "TEXT") out += fmt::format(" {}", body_lines);
  if (extensible) out.append(" NIL NIL NIL NIL");  // md5, disposition, language, location
  out.push_back(')');
  return out;
}

}  // namespace dirmail::imap
