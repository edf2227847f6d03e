#pragma once
// Password verification for the ad backend: a Kerberos AS exchange for the user's
// principal (sAMAccountName@REALM) with the password, then the ticket checked
// against the service keytab (krb5_verify_init_creds: a TGS request for our own
// service principal whose ticket must decrypt with the keytab), so a spoofed KDC that
// answers "yes" to any password cannot log anyone in.
//
// Each check uses a private krb5 context (krb5_init_context: KRB5_CONFIG is honoured)
// and no credential cache. A bad password is sent exactly once: the step API
// (krb5_init_creds_*) is used because krb5_get_init_creds_password retries a refused
// password against the realm's primary_kdc.
//
// Time: MIT krb5 1.20 has no overall KDC timeout (no kdc_timeout or request_timeout
// in krb5.conf; a silent KDC costs about 27 s: UDP retries over 3 passes, then TCP).
// So the exchange runs on its own thread and check() gives up after `timeout` with
// kdc_unreachable; the abandoned exchange ends on its own within krb5's limit.
//
// Blocking: call from the blocking pool.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace dirmail::auth {

enum class KerberosPasswordOutcome {
  accepted,
  empty_password,       // refused before any network traffic
  bad_password,         // KDC_ERR_PREAUTH_FAILED, or the AS reply did not decrypt
  unknown_principal,    // KDC_ERR_C_PRINCIPAL_UNKNOWN
  revoked,              // KDC_ERR_CLIENT_REVOKED: disabled, locked out or expired account
  password_expired,     // KDC_ERR_KEY_EXP: expired, or "must change at next logon"
  clock_skew,           // KRB5KRB_AP_ERR_SKEW: this server's clock is off (logged loudly)
  kdc_unreachable,      // no KDC answered in time: temporary, worth retrying later
  configuration_error,  // keytab, verify principal or krb5.conf wrong (names them)
  refused,              // any other refusal from the KDC (policy, enctypes)
};
std::string_view to_string(KerberosPasswordOutcome outcome);

// The client should hear "try again later", not "wrong password": the fault is not
// the user's (KDC down, our clock, our keytab). Such a failure must not count
// against the user in the login limiter either.
bool is_temporary(KerberosPasswordOutcome outcome);

struct KerberosPasswordResult {
  KerberosPasswordOutcome outcome = KerberosPasswordOutcome::refused;
  std::string principal;  // the client principal asked for
  std::string detail;     // for the log: krb5's message, the keytab and service principal
  std::chrono::milliseconds elapsed{0};
};

struct KerberosPasswordCheckOptions {
  std::string realm;             // e.g. CORP.EXAMPLE.TEST; empty: krb5.conf default_realm
  std::string keytab;            // the service keytab the ticket is verified with
  // Service principal to verify with, e.g. smtp/mail.corp.example.test@REALM. Empty:
  // the keytab's service principals (two or more components) in turn, until one works.
  std::string verify_principal;
  std::chrono::milliseconds timeout{10000};  // whole check; 0: krb5's own limits only
};

// Which outcome a krb5 error code of each phase means (unit-tested; exposed for that).
KerberosPasswordOutcome outcome_of_as_exchange(std::int32_t krb5_code);
KerberosPasswordOutcome outcome_of_verification(std::int32_t krb5_code);

class KerberosPasswordCheck {
 public:
  explicit KerberosPasswordCheck(KerberosPasswordCheckOptions options) : options_(std::move(options)) {}

  // account_name: the AD sAMAccountName, made one principal component of the realm.
  // A name AD would not allow as a sAMAccountName (with "@", "/", "\\", ...) is
  // unknown_principal without asking the KDC, so a login cannot pick another
  // principal, realm or UPN.
  KerberosPasswordResult check(std::string_view account_name, std::string_view password) const;

  const KerberosPasswordCheckOptions& options() const { return options_; }

 private:
  KerberosPasswordCheckOptions options_;
};

}  // namespace dirmail::auth
