#pragma once
// One connection to one LDAP server (an AD domain controller or slapd), made with
// OpenLDAP's libldap: LDAPS or StartTLS with certificate verification, a simple bind
// with a service account or a SASL/GSSAPI bind with a keytab (signed and sealed),
// paged searches, bounded time and size. Every call blocks: run it on the blocking
// pool. A connection is used by one thread at a time. libldap writes with write(2):
// the process must ignore or block SIGPIPE (dirmaild blocks it).
//
// Errors: temporary_failure when the server cannot be reached or does not answer in
// time (the caller tries another DC or retries); permission_denied when the server
// refuses our bind (a configuration fault: wrong service password, no strong auth);
// invalid_argument for a malformed filter or option; not_found for a missing base.
//
// Writes (add, modify, delete: the importer's, as an administrator) return an
// LdapWriteResult, which keeps the server's result code and diagnostic message beside
// the Error: AD refuses a password its policy rejects with constraintViolation (19) or
// unwillingToPerform (53) and "0000052D" in the diagnostic, which no ErrorCode says.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

enum class LdapBindMethod { anonymous, simple, gssapi };

struct LdapConnectionOptions {
  std::string uri;                 // "ldaps://127.0.0.10:636" or "ldap://dc1.corp.example.test"
  bool start_tls = false;          // ldap:// only: StartTLS before the bind
  std::string ca_file;             // trusted CAs (PEM); empty: the system store
  bool verify_certificate = true;  // off only for labs; logged loudly by the caller
  LdapBindMethod bind = LdapBindMethod::simple;
  std::string bind_dn;             // simple: DN, UPN or DOMAIN\name
  std::string bind_password;       // simple
  std::string keytab;              // gssapi: keytab holding the client principal
  std::string principal;           // gssapi: client principal; empty: the keytab's first
  int sasl_min_ssf = 56;           // gssapi: minimum security strength (56 = sealed)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds operation_timeout{5000};  // per request (bind, each page)
  bool chase_referrals = false;
};

struct LdapEntry {
  std::string dn;
  // Attribute names as the server returned them; values are raw octets.
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;

  // Case-insensitive attribute lookup; nullptr when absent. A ranged attribute
  // ("member;range=0-1499") is found by its base name.
  const std::vector<std::string>* values(std::string_view attribute) const;
  // The first value, or "" when absent.
  std::string first(std::string_view attribute) const;
};

enum class LdapScope { base, one_level, subtree };

struct LdapSearch {
  std::string base;
  LdapScope scope = LdapScope::subtree;
  std::string filter = "(objectClass=*)";     // built with ldap_filter.hpp, never by hand
  std::vector<std::string> attributes;        // empty: none but the DN ("1.1")
  int page_size = 500;                        // RFC 2696 paged results; 0: no paging
  std::size_t max_entries = 100000;           // limit_exceeded past this
  // AD's LDAP_SERVER_SD_FLAGS_OID control: which parts of nTSecurityDescriptor to return
  // (1 owner, 2 group, 4 DACL, 8 SACL). Without it AD asks for the SACL too and gives a
  // non-administrator no descriptor at all. 0: no control.
  int sd_flags = 0;
};

// Why a server refused a user's bind. Active Directory says it in the diagnostic
// message ("... data 52e, v4563"); other servers give bad_credentials.
enum class BindRefusal {
  bad_credentials,       // 52e, or any plain invalidCredentials
  no_such_user,          // 525
  logon_hours,           // 530
  workstation,           // 531
  password_expired,      // 532
  disabled,              // 533
  account_expired,       // 701
  must_change_password,  // 773
  locked,                // 775
};
// Reads at most max_bind_diagnostic octets of the message (AD's are ~100).
inline constexpr std::size_t max_bind_diagnostic = 1024;
BindRefusal parse_bind_refusal(std::string_view diagnostic_message);
std::string_view to_string(BindRefusal refusal);

struct UserBindResult {
  bool accepted = false;
  BindRefusal refusal = BindRefusal::bad_credentials;  // when !accepted
  std::string diagnostic;                               // the server's message
};

// One attribute of an entry to add, its values as raw octets (UTF-8 text, or binary
// such as unicodePwd).
struct LdapAttribute {
  std::string name;
  std::vector<std::string> values;  // at least one
};

// One change of a modify request; the server applies a request's changes all or none.
struct LdapModification {
  enum class Kind {
    add,      // adds the values (AD: typeOrValueExists, 20, if one is there already)
    replace,  // the attribute's values become these; none: the attribute is removed
    remove,   // removes the values; none: the whole attribute
  };
  Kind kind = Kind::replace;
  std::string attribute;
  std::vector<std::string> values;
};

// Octets of a write's diagnostic message kept (AD's are ~150).
inline constexpr std::size_t max_write_diagnostic = 1024;

// What a write came to. ok() when the server answered success; otherwise error() in
// the project's terms (the code from the result code table: already_exists for
// entryAlreadyExists (68), permission_denied for insufficientAccessRights (50) and
// unwillingToPerform (53), invalid_argument for constraint, naming and object class
// violations, temporary_failure when the server is down, busy or did not answer
// within operation_timeout), and the server's own answer for callers that must tell
// refusals apart. Usable with DIRMAIL_TRY.
class [[nodiscard]] LdapWriteResult {
 public:
  LdapWriteResult() = default;  // success
  // A failed write: result_code is never 0 (LDAP_SUCCESS).
  LdapWriteResult(Error error, int result_code, std::string diagnostic)
      : error_(std::move(error)), result_code_(result_code), diagnostic_(std::move(diagnostic)) {}

  bool ok() const { return result_code_ == 0; }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }
  // 0 on success; otherwise the server's result code (RFC 4511: 19
  // constraintViolation, 50 insufficientAccessRights, 53 unwillingToPerform, 68
  // entryAlreadyExists, ...), or libldap's negative client code when no answer came
  // (-1 LDAP_SERVER_DOWN, -5 LDAP_TIMEOUT).
  int result_code() const { return result_code_; }
  // The server's diagnosticMessage as sent (AD: "0000052D: Constraint violation -
  // check_password_restrictions: ..."); empty when none. Not escaped: match on it,
  // print error().message.
  const std::string& diagnostic() const { return diagnostic_; }

 private:
  Error error_;
  int result_code_ = 0;
  std::string diagnostic_;
};

class LdapConnection {
 public:
  // Connects, starts TLS if asked, binds. Fails fast on a refused or unreachable
  // server (connect_timeout) and on a hung one (operation_timeout).
  static Result<std::unique_ptr<LdapConnection>> open(const LdapConnectionOptions& options);
  ~LdapConnection();
  LdapConnection(const LdapConnection&) = delete;
  LdapConnection& operator=(const LdapConnection&) = delete;

  // Every entry of a (paged) search; search references are skipped.
  Result<std::vector<LdapEntry>> search(const LdapSearch& request);
  // The root DSE (base "", scope base) with the given attributes: the health probe.
  Result<LdapEntry> root_dse(const std::vector<std::string>& attributes);
  const std::string& uri() const { return options_.uri; }

  // Writes, one request each, answered within operation_timeout. `dn` is a complete
  // DN whose values the caller escaped (ldap_dn.hpp). Values are never put into
  // messages: a password may be among them.
  LdapWriteResult add_entry(std::string_view dn, const std::vector<LdapAttribute>& attributes);
  LdapWriteResult modify_entry(std::string_view dn, const std::vector<LdapModification>& modifications);
  LdapWriteResult delete_entry(std::string_view dn);  // a leaf: AD refuses one with children

  // Checks a user's password with a simple bind on a new connection to the same
  // server (TLS as configured; refuses an empty password before any network I/O,
  // since an empty-password bind is an anonymous one). accepted=false with the
  // refusal for wrong credentials or a refused account; an error only when the
  // server could not be asked.
  Result<UserBindResult> check_password(std::string_view bind_name, std::string_view password) const;

 private:
  struct Handle;
  LdapConnection(std::unique_ptr<Handle> handle, LdapConnectionOptions options);
  std::unique_ptr<Handle> handle_;
  LdapConnectionOptions options_;
};

}  // namespace dirmail::directory
