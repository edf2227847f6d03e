#pragma once
// LDAP search filters (RFC 4515) built from untrusted values: every value that goes
// into a filter passes through here, so a login such as `*)(uid=*` or one with NUL
// or invalid UTF-8 can only ever match itself.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

// Longest value we put into a filter; AD names and addresses are far shorter.
inline constexpr std::size_t max_filter_value = 1024;

// The assertion value with '*', '(', ')', '\', NUL and every octet outside printable
// ASCII written as \XX (RFC 4515 §3 allows \XX for any octet). The result is printable
// ASCII, so it is valid UTF-8 whatever the input was.
std::string escape_filter_value(std::string_view value);

// The inverse, for tests and diagnostics: \XX sequences back to octets.
// invalid_argument for a malformed escape.
Result<std::string> unescape_filter_value(std::string_view escaped);

// "(attribute=escaped value)". The attribute is a name ([A-Za-z][A-Za-z0-9-]*) or an
// OID; it comes from configuration, but is checked all the same. invalid_argument for
// a bad attribute, limit_exceeded for a value over max_filter_value.
Result<std::string> equality_filter(std::string_view attribute, std::string_view value);

}  // namespace dirmail::directory
