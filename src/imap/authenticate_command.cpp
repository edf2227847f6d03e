// IMAP LOGIN and AUTHENTICATE (RFC 3501 §6.2, SASL-IR RFC 4959): PLAIN, LOGIN and
// CRAM-MD5 checked by the Authenticator, GSSAPI and GSS-SPNEGO for Kerberos single
// sign-on. Response
// codes from RFC 5530.
#include <fmt/format.h>

#include "dirmail/auth/login_metrics.hpp"
#include "dirmail/auth/guarded_login.hpp"
#include "dirmail/auth/login_account.hpp"
#include "dirmail/auth/sasl_password_exchange.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/net/pause.hpp"
#include "dirmail/net/retrying_call.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {
namespace {

constexpr auto failed_login_delay = std::chrono::seconds(1);

}  // namespace

net::awaitable<void> ImapSession::login(const std::string& tag, const std::string& user, const std::string& password) {
  auth::PasswordCredentials credentials{"", user, password};
  auto check = [authenticator = options_->authenticator, credentials] {
    return authenticator->password(credentials, auth::PasswordSource::directory);
  };
  co_await finish_login(tag, user, "login", check);
}

net::awaitable<void> ImapSession::finish_login(const std::string& tag, const std::string& login,
                                               std::string_view mechanism, std::function<auth::LoginAnswer()> check) {
  auth::GuardedLogin guard(service_->limiter, auth::limiter_address(conn_.peer_address, conn_.peer_is_loopback, options_->limit_loopback_logins), login);
  co_await net::pause(guard.delay());  // grows with recent failures from this client or for this account
  if (!guard.may_check()) {
    auth::count_login("imap", auth::LoginResult::rate_limited);
    line(log::Record::auth).with("login", login).with("limit", guard.refusal()).warn("login refused: too many failed or pending checks for this account or address");
    tagged(tag, "NO [AUTHENTICATIONFAILED] Authentication failed");
    ++errors_;
    co_return;
  }
  auto verified = co_await net::run_with_retry(*service_->pool, options_->directory_retry, check);
  guard.record(verified);
  if (!verified && auth::is_password_expired(verified.error())) {
    auth::count_login("imap", auth::LoginResult::password_expired);
    line(log::Record::auth).with("login", login).with("mechanism", mechanism).warn("login failed: password expired");
    tagged(tag, "NO [EXPIRED] Password expired; change it (at a Windows logon or your password page), then log in again");
    ++errors_;
    co_return;
  }
  if (!verified) {
    auth::count_login("imap", auth::LoginResult::directory_unavailable);
    line(log::Record::auth).with("login", login).with("mechanism", mechanism).with("error", verified.error().message)
        .warn("login failed: directory unavailable");
    tagged(tag, "NO [UNAVAILABLE] Directory unavailable, try again later");
    co_return;
  }
  if (!verified->has_value()) {
    auth::count_login("imap", auth::LoginResult::wrong_credentials);
    line(log::Record::auth).with("login", login).with("mechanism", mechanism).warn("login failed: wrong credentials");
    co_await net::pause(failed_login_delay);  // slows guessing without locking the account
    tagged(tag, "NO [AUTHENTICATIONFAILED] Authentication failed");
    ++errors_;
    co_return;
  }
  co_await enter_authenticated(tag, **verified);
}

net::awaitable<void> ImapSession::enter_authenticated(const std::string& tag, const directory::Account& account) {
  auto root = options_->mailboxes.root_for({account.name, account.domain, account.home});
  if (!root) {
    auth::count_login("imap", auth::LoginResult::mailbox_unavailable);
    line(log::Record::auth).with("login", account.name).with("error", root.error().message).error("bad mailbox path");
    tagged(tag, "NO [UNAVAILABLE] Mailbox path is invalid; tell the administrator");
    co_return;
  }
  auto slot = service_->accounts.try_open(account.address(), options_->max_sessions_per_user);
  if (!slot) {
    auth::count_login("imap", auth::LoginResult::too_many_sessions);
    line(log::Record::auth).with("login", account.address()).with("limit", options_->max_sessions_per_user)
        .warn("login refused: too many sessions for this account");
    tagged(tag, fmt::format("NO [LIMIT] This account already has {} sessions; close some mail clients or windows",
                            options_->max_sessions_per_user));
    co_return;
  }
  account_slot_ = std::move(*slot);
  mailbox_root_ = std::move(*root);
  mailbox_limit_ = account.mailbox_limit;
  user_ = account.address();
  state_ = State::authenticated;
  auth::count_login("imap", auth::LoginResult::ok);
  line(log::Record::auth).info("login");
  co_await create_special_use_folders();
  tagged(tag, fmt::format("OK [CAPABILITY {}] Logged in", capabilities()));
}

net::awaitable<std::optional<std::optional<std::string>>> ImapSession::sasl_challenge(const std::string& tag,
                                                                                      std::string_view challenge,
                                                                                      std::size_t max_size) {
  using Answer = std::optional<std::string>;
  reply(fmt::format("+ {}", challenge));
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return std::nullopt;
  std::string response;
  auto got = co_await reader_.read_line(response, max_size, options_->idle_timeout);
  if (!got) co_return std::nullopt;
  if (*got == ImapReader::LineResult::too_long) {
    tagged(tag, "BAD [LIMIT] Authentication response too long");
    ++errors_;
    co_return Answer();
  }
  if (response == "*") {
    tagged(tag, "BAD Authentication cancelled");
    co_return Answer();
  }
  co_return Answer(std::move(response));
}

net::awaitable<bool> ImapSession::authenticate(const ImapCommand& cmd) {
  const std::string& tag = cmd.tag;
  if (auto gss = auth::parse_gss_mechanism(cmd.args[0]); gss && gssapi_offered())
    co_return co_await authenticate_gssapi(cmd, *gss);
  auto known = auth::parse_sasl_password_mechanism(cmd.args[0]);
  bool offered = known && (*known == auth::SaslPasswordMechanism::cram_md5 ? cram_md5_offered() : password_auth_offered());
  if (known && !offered && auth::sends_password(*known) && options_->authenticator != nullptr) {
    tagged(tag, "NO [PRIVACYREQUIRED] Plaintext authentication is disallowed on non-secure connections");
    ++errors_;
    co_return true;
  }
  if (!offered) {
    tagged(tag, "NO [CANNOT] Unsupported authentication mechanism");
    co_return true;
  }
  using State = auth::SaslPasswordExchange::State;
  auth::SaslPasswordExchange exchange(*known, options_->hostname);
  std::optional<std::string_view> initial;
  if (cmd.args.size() > 1) initial = cmd.args[1] == "=" ? std::string_view() : std::string_view(cmd.args[1]);
  auto step = exchange.start(initial);
  while (step.state == State::challenge) {
    auto answer = co_await sasl_challenge(tag, step.challenge, auth::max_sasl_response);
    if (!answer) co_return false;
    if (!*answer) co_return true;  // replied to already
    step = exchange.respond(**answer);
  }
  if (step.state != State::done) {
    tagged(tag, "BAD Malformed authentication response");
    ++errors_;
    co_return true;
  }
  const auth::SaslClaim& claim = exchange.claim();
  auto check = [authenticator = options_->authenticator, claim] {
    return authenticator->check(claim, auth::PasswordSource::directory);
  };
  co_await finish_login(tag, claim.login(), auth::to_string(*known), check);
  co_return true;
}

// Kerberos single sign-on (GSSAPI, RFC 4752, or GSS-SPNEGO). No password, so nothing
// for the login limiter; the account must still be one that may log in to mail.
net::awaitable<bool> ImapSession::authenticate_gssapi(const ImapCommand& cmd, auth::GssMechanism mechanism) {
  const std::string& tag = cmd.tag;
  const std::string_view mech = auth::log_name(mechanism);
  auth::GssapiExchange exchange(options_->gssapi, mechanism);
  std::string response;
  bool have_response = cmd.args.size() > 1;
  if (have_response) response = cmd.args[1] == "=" ? std::string() : cmd.args[1];
  auth::GssapiStep result;
  for (;;) {
    if (!have_response) {
      auto answer = co_await sasl_challenge(tag, result.challenge, auth::max_gssapi_response);
      if (!answer) co_return false;
      if (!*answer) co_return true;  // replied to already
      response = std::move(**answer);
    }
    have_response = false;
    auto step = [ex = &exchange, response] { return ex->step(response); };  // named: see BlockingPool::run
    result = co_await service_->pool->run(step);
    if (result.state != auth::GssapiStep::State::challenge) break;
  }
  if (result.state == auth::GssapiStep::State::failed) {
    auth::count_login("imap", auth::LoginResult::kerberos_failed);
    line(log::Record::auth).with("mechanism", mech).with("reason", result.reason).warn("login failed: Kerberos");
    tagged(tag, "NO [AUTHENTICATIONFAILED] Authentication failed");
    ++errors_;
    co_return true;
  }
  auto* directory = service_->directory;
  auto find = [directory, name = result.account] { return auth::find_login_account(*directory, name); };  // named: see BlockingPool::run
  auto account = co_await net::run_with_retry(*service_->pool, options_->directory_retry, find);
  if (!account) {
    auth::count_login("imap", auth::LoginResult::directory_unavailable);
    line(log::Record::auth).with("login", result.principal).with("error", account.error().message)
        .warn("login failed: directory unavailable");
    tagged(tag, "NO [UNAVAILABLE] Directory unavailable, try again later");
    co_return true;
  }
  if (!account->has_value()) {
    auth::count_login("imap", auth::LoginResult::not_mail_user);
    line(log::Record::auth).with("login", result.principal).with("mechanism", mech)
        .warn("login failed: not a mail user who may log in");
    tagged(tag, "NO [AUTHENTICATIONFAILED] Authentication failed");
    ++errors_;
    co_return true;
  }
  line(log::Record::auth).with("login", result.principal).with("mechanism", mech).info("Kerberos principal accepted");
  co_await enter_authenticated(tag, **account);
  co_return true;
}

}  // namespace dirmail::imap
