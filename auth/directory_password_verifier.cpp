#include "dirmail/auth/password_verifier.hpp"

namespace dirmail::auth {

Result<std::optional<directory::Account>> DirectoryPasswordVerifier::verify(std::string_view login,
                                                                           std::string_view password) {
  using Answer = std::optional<directory::Account>;
  auto matches = passwords_.verify_password(login, password);
  if (!matches) return std::move(matches).error();
  if (!*matches) return Answer();

  auto account = directory_.find_account(login);
  if (!account) {
    // The account vanished or became ambiguous between the two calls: a plain "no".
    ErrorCode code = account.error().code;
    if (code == ErrorCode::not_found || code == ErrorCode::invalid_argument) return Answer();
    return std::move(account).error();
  }
  if (!account->may_log_in || account->state == directory::AccountState::not_mail_user) return Answer();
  return Answer(std::move(*account));
}

}  // namespace dirmail::auth
