#include "dirmail/directory/ldap_dn.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::directory {

std::string escape_dn_value(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() + 8);
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    bool special = c == '"' || c == '+' || c == ',' || c == ';' || c == '<' || c == '>' || c == '\\' || c == '=';
    bool edge = (i == 0 && (c == '#' || c == ' ')) || (i + 1 == value.size() && c == ' ');
    if (c < 0x20 || c == 0x7f) {
      out += '\\';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else if (special || edge) {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string child_dn(std::string_view rdn_attribute, std::string_view value, std::string_view parent) {
  std::string dn(rdn_attribute);
  dn += '=';
  dn += escape_dn_value(value);
  if (!parent.empty()) {
    dn += ',';
    dn += parent;
  }
  return dn;
}

Result<std::string> dns_name_of_naming_context(std::string_view base_dn) {
  auto malformed = [&](std::string_view why) {
    return make_error(ErrorCode::invalid_argument,
                      "naming context \"" + escape_control(base_dn) + "\" " + std::string(why));
  };
  std::string dns;
  for (std::string_view part : split(base_dn, ',')) {
    part = trim(part);
    auto eq = part.find('=');
    if (eq == std::string_view::npos || !iequals(trim(part.substr(0, eq)), "DC"))
      return malformed("has a component that is not DC=...");
    std::string_view label = trim(part.substr(eq + 1));
    if (label.empty() || label.find('\\') != std::string_view::npos)
      return malformed("has an empty or escaped DC value");
    if (!dns.empty()) dns += '.';
    dns += to_lower(label);
  }
  if (dns.empty()) return malformed("has no DC component");
  return dns;
}

}  // namespace dirmail::directory
