#include "dirmail/auth/login_metrics.hpp"

#include "dirmail/base/metrics.hpp"

namespace dirmail::auth {

std::string_view to_string(LoginResult result) {
  switch (result) {
    case LoginResult::ok: return "ok";
    case LoginResult::wrong_credentials: return "wrong_credentials";
    case LoginResult::password_expired: return "password_expired";
    case LoginResult::directory_unavailable: return "directory_unavailable";
    case LoginResult::rate_limited: return "rate_limited";
    case LoginResult::kerberos_failed: return "kerberos_failed";
    case LoginResult::not_mail_user: return "not_mail_user";
    case LoginResult::too_many_sessions: return "too_many_sessions";
    case LoginResult::mailbox_unavailable: return "mailbox_unavailable";
  }
  return "unknown";
}

void count_login(std::string_view service, LoginResult result) {
  static metrics::Family& logins = metrics::counter(
      "dirmail_logins_total", "Login attempts by service and result (ok, or why it failed).", {"service", "result"});
  logins.with({service, to_string(result)}).add();
}

}  // namespace dirmail::auth
