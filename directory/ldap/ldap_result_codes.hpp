#pragma once
// libldap result codes as dirmail errors: one table, so that every call names the
// URI and what failed in the same way ("ldaps://dc1:636: bind as svc-mail refused:
// Invalid credentials (80090308: LdapErr: ...)").
#include <string>
#include <string_view>

#include "dirmail/base/error.hpp"

namespace dirmail::directory {

// temporary_failure: the server is down, busy or slow (try again, or another DC).
// permission_denied: the server refused us (credentials, strong auth, access).
// not_found: noSuchObject, noSuchAttribute. already_exists: entryAlreadyExists,
// attributeOrValueExists. invalid_argument: a filter, DN, attribute or value the server
// or libldap rejected (constraint, naming, object class violations). limit_exceeded: a
// size or administrative limit.
ErrorCode ldap_error_code(int ldap_result);

// "<uri>: <what> refused|failed: <libldap text>[ (<diagnostic>)]". The diagnostic is
// the server's (or libldap's) message; control characters are escaped and it is cut.
Error ldap_failure(int ldap_result, std::string_view uri, std::string_view what,
                   std::string_view diagnostic);
// The same message with a code the caller knows better (a SASL "local error").
Error ldap_failure(ErrorCode code, int ldap_result, std::string_view uri, std::string_view what,
                   std::string_view diagnostic);

// The diagnostic text as it goes into a message: control characters escaped, cut at
// a length that keeps a log line readable.
std::string printable_diagnostic(std::string_view diagnostic);

}  // namespace dirmail::directory
