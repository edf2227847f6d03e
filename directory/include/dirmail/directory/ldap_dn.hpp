#pragma once
// Distinguished names built from untrusted values (RFC 4514): a user or group name
// goes into "CN=<value>,<container>" only through escape_dn_value, so that a name such
// as "a,OU=Admins" stays one RDN value.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

// The RDN value with RFC 4514 §2.4 escapes: '"', '+', ',', ';', '<', '>', '\' and
// '=' as \c, a leading '#' or space and a trailing space as \c, NUL and other control
// octets as \XX. Other octets (UTF-8 text) stay as they are.
std::string escape_dn_value(std::string_view value);

// "CN=<escaped value>,<parent>".
std::string child_dn(std::string_view rdn_attribute, std::string_view value, std::string_view parent);

// The DNS name of a domain's naming context: "DC=corp,DC=example,DC=test" ->
// "corp.example.test" (its DC components in order). invalid_argument when the DN has
// other components or no DC component.
Result<std::string> dns_name_of_naming_context(std::string_view base_dn);

}  // namespace dirmail::directory
