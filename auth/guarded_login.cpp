#include "dirmail/auth/guarded_login.hpp"

namespace dirmail::auth {

std::string GuardedLogin::account_key(std::string_view login) {
  std::string key(login.substr(0, login.rfind('@')));
  if (key.size() > 256) key.resize(256);  // bounded: the limiter keeps these
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

GuardedLogin::GuardedLogin(LoginLimiter* limiter, std::string client_ip, std::string_view login)
    : limiter_(limiter), ip_(std::move(client_ip)), account_(account_key(login)) {
  if (limiter_) admission_ = limiter_->admit(ip_, account_);
}

void GuardedLogin::record(const Result<std::optional<directory::Account>>& verified) {
  if (!limiter_ || !may_check()) return;
  if (!verified) {
    limiter_->record_no_verdict(account_);  // not the user's doing
    return;
  }
  if (verified->has_value())
    limiter_->record_success(ip_, account_);
  else
    limiter_->record_failure(ip_, account_);
}

}  // namespace dirmail::auth
