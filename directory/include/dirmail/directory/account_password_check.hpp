#pragma once
// How the ad backend asks the directory whether a user's password is right: by default
// an LDAP bind as the user (LdapDirectory itself); for AD a Kerberos AS exchange
// verified with the service keytab (auth::KerberosAccountPasswordCheck). The backend
// keeps the cache, the offline verifiers and the outage rules whichever check it uses.
#include <string>
#include <string_view>

#include "dirmail/directory/directory.hpp"

namespace dirmail::directory {

enum class PasswordVerdict {
  accepted,
  wrong_password,  // the user's mistake: counts as a failed login
  refused,         // the account may not log in (disabled, locked, expired account)
  expired,         // the password is right but has expired or must be changed first
  temporary,       // the directory or KDC could not answer, or our setup is wrong
};

struct PasswordCheckAnswer {
  PasswordVerdict verdict = PasswordVerdict::temporary;
  std::string reason;  // for the log: the KDC's or DC's reason
};

class AccountPasswordCheck {
 public:
  virtual ~AccountPasswordCheck() = default;
  // Blocking. `account` came from the directory (name = sAMAccountName).
  virtual PasswordCheckAnswer check(const Account& account, std::string_view password) = 0;
  virtual std::string_view name() const = 0;  // "kerberos", for logs
};

}  // namespace dirmail::directory
