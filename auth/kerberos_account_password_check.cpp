#include "dirmail/auth/kerberos_account_password_check.hpp"

namespace dirmail::auth {

directory::PasswordVerdict password_verdict(KerberosPasswordOutcome outcome) {
  using V = directory::PasswordVerdict;
  switch (outcome) {
    case KerberosPasswordOutcome::accepted: return V::accepted;
    case KerberosPasswordOutcome::empty_password:
    case KerberosPasswordOutcome::bad_password:
    case KerberosPasswordOutcome::unknown_principal: return V::wrong_password;
    // Samba's and Windows' KDCs say "expired" only after the right password.
    case KerberosPasswordOutcome::password_expired: return V::expired;
    case KerberosPasswordOutcome::revoked:
    case KerberosPasswordOutcome::refused: return V::refused;
    case KerberosPasswordOutcome::clock_skew:
    case KerberosPasswordOutcome::kdc_unreachable:
    case KerberosPasswordOutcome::configuration_error: return V::temporary;
  }
  return V::temporary;
}

directory::PasswordCheckAnswer KerberosAccountPasswordCheck::check(const directory::Account& account,
                                                                  std::string_view password) {
  KerberosPasswordResult r = check_.check(account.name, password);
  std::string reason(to_string(r.outcome));
  if (!r.detail.empty()) reason += ": " + r.detail;
  return {password_verdict(r.outcome), std::move(reason)};
}

}  // namespace dirmail::auth
