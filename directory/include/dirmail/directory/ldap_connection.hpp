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
