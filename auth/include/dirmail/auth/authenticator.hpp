#pragma once
// Who a client is, whatever the protocol and the mechanism: SMTP AUTH, POP3 USER/PASS,
// APOP and AUTH, IMAP LOGIN and AUTHENTICATE all ask this. It holds the rules that do
// not depend on the protocol:
//   - passwords (PLAIN, LOGIN, USER/PASS) go to the directory's verifier (Kerberos, a
//     bind, the stored hash) or, where the service says so, to the secrets file;
//   - CRAM-MD5 and APOP prove the secrets file's shared secret;
//   - either way the account must be a mail user who may log in (the directory says);
//   - an authorization identity other than the user's own is refused, except for the
//     master users (auth.master_users, for migrations), who log in with their own
//     secrets-file password as any mail user.
// Every call may block (directory, KDC, Argon2): run it on the blocking pool.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/auth/password_verifier.hpp"
#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/auth/sasl_password_exchange.hpp"
#include "dirmail/auth/secrets_file.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"

namespace dirmail::auth {

// Where a service checks plain passwords: smtp.auth_password_source.
enum class PasswordSource { directory, secrets_file };
std::optional<PasswordSource> parse_password_source(std::string_view value);

using LoginAnswer = Result<std::optional<directory::Account>>;

class Authenticator {
 public:
  // `secrets` may be null (no auth.secrets_file): no CRAM-MD5, APOP or master users.
  Authenticator(directory::Directory& directory, PasswordVerifier& passwords, std::shared_ptr<SecretsFile> secrets,
                std::vector<std::string> master_users);

  // The account, std::nullopt for wrong credentials, an identity the user may not take
  // or an account that may not log in; temporary_failure when the directory could not answer.
  LoginAnswer password(const PasswordCredentials& credentials, PasswordSource source);
  // CRAM-MD5 and APOP: `proves(secret)` says whether the client's answer matches the secret.
  LoginAnswer shared_secret(std::string_view login, const std::function<bool(std::string_view secret)>& proves);
  // The end of a SASL PLAIN, LOGIN or CRAM-MD5 exchange.
  LoginAnswer check(const SaslClaim& claim, PasswordSource source);

  bool shared_secrets_available() const { return secrets_ != nullptr; }
  // Whether the account has an entry in the secrets file (smtp.auth_security_level =
  // auth_file). Blocking: may ask the directory.
  bool has_secret(const directory::Account& account) const { return secret_key(account).has_value(); }

 private:
  bool is_master_user(std::string_view login) const;
  // The secrets-file entry of an account: its address, else its bare name when that
  // name finds the same account (always in AD; not for a soft-account name that
  // several mail domains share).
  std::optional<std::string> secret_key(const directory::Account& account) const;

  directory::Directory& directory_;
  PasswordVerifier& passwords_;
  std::shared_ptr<SecretsFile> secrets_;
  std::vector<std::string> master_users_;  // lower case
};

}  // namespace dirmail::auth
