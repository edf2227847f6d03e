#include "dirmail/auth/login_account.hpp"

namespace dirmail::auth {

Result<std::optional<directory::Account>> find_login_account(directory::Directory& directory,
                                                             std::string_view login) {
  using Answer = std::optional<directory::Account>;
  auto account = directory.find_account(login);
  if (!account) {
    // Unknown or ambiguous: a plain "no".
    ErrorCode code = account.error().code;
    if (code == ErrorCode::not_found || code == ErrorCode::invalid_argument) return Answer();
    return std::move(account).error();
  }
  if (!account->may_log_in || account->state == directory::AccountState::not_mail_user) return Answer();
  return Answer(std::move(*account));
}

}  // namespace dirmail::auth
