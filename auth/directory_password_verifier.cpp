#include "dirmail/auth/password_verifier.hpp"

#include "dirmail/auth/login_account.hpp"

namespace dirmail::auth {

Result<std::optional<directory::Account>> DirectoryPasswordVerifier::verify(std::string_view login,
                                                                           std::string_view password) {
  using Answer = std::optional<directory::Account>;
  auto matches = passwords_.verify_password(login, password);
  if (!matches) return std::move(matches).error();
  if (!*matches) return Answer();

  return find_login_account(directory_, login);  // the account vanished in between: a plain "no"
}

}  // namespace dirmail::auth
