#pragma once
// Login results per service and reason (dirmail_logins_total), counted where each
// protocol logs its "AUTH ok" / "login" or "... failed: REASON" line, so that the
// metrics and the log report tell the same story.
#include <string_view>

namespace dirmail::auth {

enum class LoginResult {
  ok,
  wrong_credentials,
  password_expired,
  directory_unavailable,  // no directory server answered: a temporary failure
  rate_limited,           // too many failed or pending checks for the account or address
  kerberos_failed,        // a GSSAPI exchange that did not end in a ticket
  not_mail_user,          // a valid ticket for someone who may not use mail
  too_many_sessions,      // imap.max_sessions_per_user
  mailbox_unavailable,    // the credentials were right, the mailbox could not be opened (in use, bad path)
};
std::string_view to_string(LoginResult result);

// service: "smtp", "submission", "pop3" or "imap".
void count_login(std::string_view service, LoginResult result);

}  // namespace dirmail::auth
