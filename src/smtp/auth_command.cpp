// SMTP AUTH (RFC 4954): PLAIN, LOGIN and CRAM-MD5 checked by the Authenticator, GSSAPI
// and GSS-SPNEGO for Kerberos single sign-on; and the sender check of security level 3
// (auth_file).
#include <fmt/format.h>

#include "dirmail/auth/login_metrics.hpp"
#include "dirmail/auth/guarded_login.hpp"
#include "dirmail/auth/login_account.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/net/pause.hpp"
#include "dirmail/net/retrying_call.hpp"
#include "dirmail/smtp/auth_exchange.hpp"
#include "smtp_session.hpp"

namespace dirmail::smtp {

std::optional<SecurityLevel> parse_security_level(std::string_view value) {
  if (value == "open") return SecurityLevel::open;
  if (value == "auth_only") return SecurityLevel::auth_only;
  if (value == "auth_file") return SecurityLevel::auth_file;
  return std::nullopt;
}

std::optional<SenderTrust> parse_sender_trust(std::string_view value) {
  if (value == "auth_id") return SenderTrust::auth_id;
  if (value == "envelope") return SenderTrust::envelope;
  if (value == "envelope_and_from") return SenderTrust::envelope_and_from;
  return std::nullopt;
}

net::awaitable<bool> SmtpSession::on_auth(std::string_view arg) {
  if (!esmtp_) {
    reply("503 5.5.1 Error: send EHLO first");
    ++errors_;
    co_return true;
  }
  if (!auth_user_.empty()) {
    reply("503 5.5.1 Error: already authenticated");
    ++errors_;
    co_return true;
  }
  if (have_sender_) {
    reply("503 5.5.1 Error: AUTH not allowed during a mail transaction");
    ++errors_;
    co_return true;
  }
  auto space = arg.find(' ');
  std::string mechanism(arg.substr(0, space));
  std::string initial(space == std::string_view::npos ? std::string_view() : trim(arg.substr(space + 1)));
  if (auto gss = auth::parse_gss_mechanism(mechanism); gss && gssapi_offered())
    co_return co_await on_auth_gssapi(*gss, initial);
  auto known = auth::parse_sasl_password_mechanism(mechanism);
  if (!known || options_->authenticator == nullptr) {
    reply("504 5.5.4 Unrecognized authentication type");
    ++errors_;
    co_return true;
  }
  if (!mechanism_offered(*known)) {
    if (auth::sends_password(*known))
      reply("538 5.7.11 Encryption required for requested authentication mechanism");
    else
      reply("504 5.5.4 Unrecognized authentication type");
    ++errors_;
    co_return true;
  }
  auto exchange = co_await run_sasl_password_exchange(reader_, out_, conn_.stream, *known, options_->hostname,
                                                      initial, options_->command_timeout);
  using Status = AuthExchange::Status;
  switch (exchange.status) {
    case Status::connection_lost:
      co_return false;
    case Status::cancelled:
      reply("501 5.0.0 Authentication cancelled");
      co_return true;
    case Status::malformed:
      reply("501 5.5.2 Cannot decode response");
      ++errors_;
      co_return true;
    case Status::ok:
      break;
  }
  co_return co_await finish_sasl_password(exchange.claim);
}

net::awaitable<bool> SmtpSession::finish_sasl_password(const auth::SaslClaim& claim) {
  const std::string& login = claim.login();
  auto mechanism = auth::to_string(claim.mechanism);
  auth::GuardedLogin guard(service_->limiter,
                           auth::limiter_address(conn_.peer_address, conn_.peer_is_loopback, options_->limit_loopback_logins),
                           login);
  co_await net::pause(guard.delay());  // grows with recent failures from this client or for this account
  if (!guard.may_check()) {
    auth::count_login(service_->name, auth::LoginResult::rate_limited);
    line(log::Record::auth).with("user", login).with("limit", guard.refusal()).warn("AUTH refused: too many failed or pending checks for this account or address");
    ++errors_;
    reply("535 5.7.8 Error: authentication failed");
    co_return true;
  }
  auto check = [authenticator = options_->authenticator, claim, source = options_->password_source] {  // named: see BlockingPool::run
    return authenticator->check(claim, source);
  };
  auto verified = co_await net::run_with_retry(*service_->pool, options_->directory_retry, check);
  guard.record(verified);
  if (!verified && auth::is_password_expired(verified.error())) {
    auth::count_login(service_->name, auth::LoginResult::password_expired);
    line(log::Record::auth).with("user", login).with("mechanism", mechanism).warn("AUTH failed: password expired");
    ++errors_;
    reply("535 5.7.8 Error: authentication failed");  // SMTP has no code for it
    co_return true;
  }
  if (!verified) {
    auth::count_login(service_->name, auth::LoginResult::directory_unavailable);
    line(log::Record::auth).with("user", login).with("error", verified.error().message).warn("AUTH failed: directory unavailable");
    reply("454 4.7.0 Temporary authentication failure");
    co_return true;
  }
  if (!verified->has_value()) {
    auth::count_login(service_->name, auth::LoginResult::wrong_credentials);
    line(log::Record::auth).with("user", login).with("mechanism", mechanism).warn("AUTH failed: wrong credentials");
    ++errors_;
    co_await net::pause(failed_auth_delay);  // slows guessing without locking the account
    reply("535 5.7.8 Error: authentication failed");
    co_return true;
  }
  remember_auth_user(**verified);
  auth::count_login(service_->name, auth::LoginResult::ok);
  line(log::Record::auth).with("user", auth_user_).with("mechanism", mechanism).info("AUTH ok");
  reply("235 2.7.0 Authentication successful");
  co_return true;
}

// Kerberos single sign-on. No password is sent, so the login limiter has nothing to
// protect; the account must still be one that may log in to mail.
net::awaitable<bool> SmtpSession::on_auth_gssapi(auth::GssMechanism mechanism, std::string_view initial) {
  const std::string_view mech = auth::log_name(mechanism);
  auto exchange = co_await run_gssapi_exchange(reader_, out_, conn_.stream, *service_->pool, options_->gssapi,
                                               mechanism, initial, options_->command_timeout);
  using Status = GssapiAuthExchange::Status;
  switch (exchange.status) {
    case Status::connection_lost:
      co_return false;
    case Status::cancelled:
      reply("501 5.0.0 Authentication cancelled");
      co_return true;
    case Status::malformed:
      reply("501 5.5.2 Cannot decode response");
      ++errors_;
      co_return true;
    case Status::failed:
      auth::count_login(service_->name, auth::LoginResult::kerberos_failed);
      line(log::Record::auth).with("mechanism", mech).with("reason", exchange.result.reason).warn("AUTH failed: Kerberos");
      ++errors_;
      reply("535 5.7.8 Error: authentication failed");
      co_return true;
    case Status::authenticated:
      break;
  }
  const auth::GssapiStep& user = exchange.result;
  auto* directory = service_->directory;
  auto find = [directory, name = user.account] { return auth::find_login_account(*directory, name); };  // named: see BlockingPool::run
  auto account = co_await net::run_with_retry(*service_->pool, options_->directory_retry, find);
  if (!account) {
    auth::count_login(service_->name, auth::LoginResult::directory_unavailable);
    line(log::Record::auth).with("user", user.principal).with("error", account.error().message).warn("AUTH failed: directory unavailable");
    reply("454 4.7.0 Temporary authentication failure");
    co_return true;
  }
  if (!account->has_value()) {
    auth::count_login(service_->name, auth::LoginResult::not_mail_user);
    line(log::Record::auth).with("user", user.principal).with("mechanism", mech).warn("AUTH failed: not a mail user who may log in");
    ++errors_;
    reply("535 5.7.8 Error: authentication failed");
    co_return true;
  }
  remember_auth_user(**account);
  auth::count_login(service_->name, auth::LoginResult::ok);
  line(log::Record::auth).with("user", auth_user_).with("principal", user.principal).with("mechanism", mech).info("AUTH ok");
  reply("235 2.7.0 Authentication successful");
  co_return true;
}

net::awaitable<std::optional<bool>> SmtpSession::sender_needs_auth(const std::string& sender) {
  if (sender.empty() || !options_->authenticator) co_return false;  // the null sender: bounces
  // Blocking (directory, the secrets file may be read again): on the pool.
  auto lookup = [dir = service_->directory, authenticator = options_->authenticator, sender]() -> Result<bool> {
    auto resolved = dir->resolve_recipient(sender);
    if (!resolved) return std::move(resolved).error();
    if (resolved->kind != directory::RecipientKind::account || !resolved->account) return false;
    return resolved->account->require_smtp_auth || authenticator->has_secret(*resolved->account);
  };
  auto needs = co_await net::run_with_retry(*service_->pool, options_->directory_retry, lookup);
  if (!needs) {
    if (needs.error().code == ErrorCode::invalid_argument) co_return false;
    line(log::Record::session).with("from", sender).with("error", needs.error().message).warn("directory lookup failed");
    reply(fmt::format("451 4.4.3 <{}>: Directory unavailable, try again later", sender));
    co_return std::nullopt;
  }
  co_return *needs;
}

}  // namespace dirmail::smtp
