#include "dirmail/directory/ldap_filter.hpp"

namespace dirmail::directory {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

bool must_escape(unsigned char c) {
  return c < 0x20 || c > 0x7e || c == '*' || c == '(' || c == ')' || c == '\\';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool valid_attribute(std::string_view a) {
  if (a.empty() || a.size() > 128) return false;
  bool oid = a.front() >= '0' && a.front() <= '9';
  char prev = '.';
  for (char c : a) {
    bool ok = oid ? ((c >= '0' && c <= '9') || (c == '.' && prev != '.'))
                  : ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (!ok) return false;
    prev = c;
  }
  if (oid) return a.back() != '.';
  return (a.front() >= 'A' && a.front() <= 'Z') || (a.front() >= 'a' && a.front() <= 'z');
}

}  // namespace

std::string escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (must_escape(c)) {
      out += '\\';
      out += hex_digits[c >> 4];
      out += hex_digits[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

Result<std::string> unescape_filter_value(std::string_view escaped) {
  std::string out;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (escaped.size() - i < 3) return make_error(ErrorCode::invalid_argument, "truncated escape in filter value");
    int hi = hex_value(escaped[i + 1]);
    int lo = hex_value(escaped[i + 2]);
    if (hi < 0 || lo < 0) return make_error(ErrorCode::invalid_argument, "bad escape in filter value");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<std::string> equality_filter(std::string_view attribute, std::string_view value) {
  if (!valid_attribute(attribute))
    return make_error(ErrorCode::invalid_argument, "not an LDAP attribute name: " + escape_filter_value(attribute));
  if (value.size() > max_filter_value) return make_error(ErrorCode::limit_exceeded, "filter value too long");
  std::string filter = "(";
  filter += attribute;
  filter += '=';
  filter += escape_filter_value(value);
  filter += ')';
  return filter;
}

}  // namespace dirmail::directory
