#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {

const std::vector<std::string>* LdapEntry::values(std::string_view attribute) const {
  // An exact (case-insensitive) name first, so that a caller asking for
  // "member;range=0-1499" itself gets that one.
  for (const auto& [name, vals] : attributes)
    if (iequals(name, attribute)) return &vals;
  if (attribute.find(';') != std::string_view::npos) return nullptr;
  // AD answers a large multi-valued attribute as "member;range=0-1499".
  for (const auto& [name, vals] : attributes) {
    std::string_view n = name;
    auto semicolon = n.find(';');
    if (semicolon != std::string_view::npos && iequals(n.substr(0, semicolon), attribute)) return &vals;
  }
  return nullptr;
}

std::string LdapEntry::first(std::string_view attribute) const {
  const auto* vals = values(attribute);
  if (vals == nullptr || vals->empty()) return {};
  return vals->front();
}

}  // namespace dirmail::directory
