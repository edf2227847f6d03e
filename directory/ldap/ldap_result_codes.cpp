#include "ldap_result_codes.hpp"

#include <ldap.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::directory {
namespace {

constexpr std::size_t kMaxDiagnosticInMessage = 512;

}  // namespace

ErrorCode ldap_error_code(int ldap_result) {
  switch (ldap_result) {
    case LDAP_SERVER_DOWN:
    case LDAP_TIMEOUT:
    case LDAP_CONNECT_ERROR:
    case LDAP_BUSY:
    case LDAP_UNAVAILABLE:
    case LDAP_TIMELIMIT_EXCEEDED:
      return ErrorCode::temporary_failure;
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_STRONG_AUTH_NOT_SUPPORTED:  // also LDAP_AUTH_METHOD_NOT_SUPPORTED
    case LDAP_CONFIDENTIALITY_REQUIRED:
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_AUTH_UNKNOWN:
      return ErrorCode::permission_denied;
    case LDAP_NO_SUCH_OBJECT:
    case LDAP_NO_SUCH_ATTRIBUTE:
      return ErrorCode::not_found;
    // Writes: the entry or value is there already.
    case LDAP_ALREADY_EXISTS:
    case LDAP_TYPE_OR_VALUE_EXISTS:
      return ErrorCode::already_exists;
    // Writes: the server refuses the values (AD: a sAMAccountName it cannot take, a
    // password its policy rejects).
    case LDAP_CONSTRAINT_VIOLATION:
    case LDAP_NAMING_VIOLATION:
    case LDAP_OBJECT_CLASS_VIOLATION:
    case LDAP_NOT_ALLOWED_ON_NONLEAF:
    case LDAP_NOT_ALLOWED_ON_RDN:
    case LDAP_NO_OBJECT_CLASS_MODS:
    case LDAP_FILTER_ERROR:
    case LDAP_PARAM_ERROR:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_UNDEFINED_TYPE:
    case LDAP_INAPPROPRIATE_MATCHING:
    case LDAP_INVALID_SYNTAX:
    case LDAP_NOT_SUPPORTED:
      return ErrorCode::invalid_argument;
    // AD's adminLimitExceeded (MaxResultSetSize, MaxValRange...) answers the same on
    // every retry, so it is a limit, not a temporary failure.
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
      return ErrorCode::limit_exceeded;
    case LDAP_NO_MEMORY:
      return ErrorCode::internal;
    default:
      return ErrorCode::protocol_error;
  }
}

std::string printable_diagnostic(std::string_view diagnostic) {
  // AD ends some messages with a NUL octet; it says nothing.
  while (!diagnostic.empty() && (diagnostic.back() == '\0' || diagnostic.back() == '\n'))
    diagnostic.remove_suffix(1);
  bool cut = diagnostic.size() > kMaxDiagnosticInMessage;
  std::string text = escape_control(diagnostic.substr(0, kMaxDiagnosticInMessage));
  if (cut) text += "...";
  return text;
}

Error ldap_failure(int ldap_result, std::string_view uri, std::string_view what,
                   std::string_view diagnostic) {
  return ldap_failure(ldap_error_code(ldap_result), ldap_result, uri, what, diagnostic);
}

Error ldap_failure(ErrorCode code, int ldap_result, std::string_view uri, std::string_view what,
                   std::string_view diagnostic) {
  std::string message(uri);
  message += ": ";
  message += what;
  message += code == ErrorCode::permission_denied ? " refused: " : " failed: ";
  message += ldap_err2string(ldap_result);
  std::string diag = printable_diagnostic(diagnostic);
  if (!diag.empty()) message += " (" + diag + ")";
  return make_error(code, std::move(message));
}

}  // namespace dirmail::directory
