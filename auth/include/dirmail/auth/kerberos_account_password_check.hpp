#pragma once
// The ad backend's password check through Kerberos (KerberosPasswordCheck), seen by
// the directory as an AccountPasswordCheck: the backend keeps its cache, offline
// verifiers and outage rules, and only the question "is this password right" goes to
// the KDC.
#include "dirmail/auth/kerberos_password_check.hpp"
#include "dirmail/directory/account_password_check.hpp"

namespace dirmail::auth {

class KerberosAccountPasswordCheck final : public directory::AccountPasswordCheck {
 public:
  explicit KerberosAccountPasswordCheck(KerberosPasswordCheckOptions options) : check_(std::move(options)) {}
  directory::PasswordCheckAnswer check(const directory::Account& account, std::string_view password) override;
  std::string_view name() const override { return "kerberos"; }

 private:
  KerberosPasswordCheck check_;
};

// What each Kerberos outcome means for a login.
directory::PasswordVerdict password_verdict(KerberosPasswordOutcome outcome);

}  // namespace dirmail::auth
