// One POP3 session (RFC 1939): AUTHORIZATION with USER/PASS, APOP or AUTH (RFC 5034:
// PLAIN, LOGIN, CRAM-MD5, GSSAPI and GSS-SPNEGO for Kerberos single sign-on), TRANSACTION on a
// snapshot of INBOX, UPDATE (expunge) at QUIT. Response codes from RFC 2449/3206.
#include <functional>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "dirmail/auth/login_metrics.hpp"
#include "dirmail/auth/guarded_login.hpp"
#include "dirmail/auth/login_account.hpp"
#include "dirmail/auth/sasl_password_exchange.hpp"
#include "dirmail/auth/shared_secret_mechanisms.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/pause.hpp"
#include "dirmail/net/read_long_line.hpp"
#include "dirmail/net/retrying_call.hpp"
#include "dirmail/net/session_control.hpp"
#include "dirmail/pop3/command.hpp"
#include "dirmail/pop3/dot_stuffer.hpp"
#include "dirmail/pop3/maildrop_lease.hpp"
#include "dirmail/pop3/pop3_service.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::pop3 {
namespace {

constexpr auto write_timeout = std::chrono::seconds(300);
constexpr std::size_t read_chunk = 64 * 1024;
constexpr int max_errors = 20;
constexpr auto failed_login_delay = std::chrono::seconds(1);
constexpr std::string_view inbox = "INBOX";

class Pop3Session {
 public:
  Pop3Session(std::shared_ptr<Pop3Service> service, net::Connection c)
      : service_(std::move(service)),
        options_(service_->options.load()),
        conn_(std::move(c)),
        reader_(conn_.stream, max_pop3_line),
        control_(*service_->sessions, conn_.stream.socket()),
        log_(log::service(service_->name)) {}
  ~Pop3Session() {
    if (!mailbox_.empty()) service_->locks.unlock(mailbox_);
  }

  net::awaitable<void> run();

 private:
  net::awaitable<bool> authorization(const Pop3Command& cmd);
  net::awaitable<bool> transaction(const Pop3Command& cmd);
  net::awaitable<void> on_pass(std::string_view password);
  net::awaitable<void> on_apop(std::string_view arg);
  // The checks every password-like login shares: the login limiter, directory retries,
  // the replies; then the maildrop. `check` runs on the blocking pool.
  net::awaitable<void> finish_login(std::string login, std::string_view mechanism,
                                    std::function<auth::LoginAnswer()> check);
  net::awaitable<bool> on_auth(std::string_view arg);
  net::awaitable<bool> on_auth_gssapi(auth::GssMechanism mechanism, std::string_view initial);
  // Sends "+ challenge" and reads the client's answer; nullopt when the connection is
  // gone. An answer too long is replied to here and comes back as "*" (cancelled).
  net::awaitable<std::optional<std::string>> sasl_challenge(std::string_view challenge);
  bool sasl_cancelled(std::string_view response) {
    if (response != "*") return false;
    if (!sasl_too_long_) reply("-ERR Authentication cancelled");
    sasl_too_long_ = false;
    return true;
  }
  // Locks and loads the account's maildrop and enters TRANSACTION (or says why not).
  net::awaitable<void> open_maildrop(const directory::Account& account);
  // Ends the maildrop's lease and this process's lock.
  net::awaitable<void> release_maildrop();
  bool gssapi_offered() const { return options_->gssapi != nullptr && service_->directory != nullptr; }
  bool password_auth_offered() const { return options_->authenticator != nullptr && plaintext_allowed(); }
  bool cram_md5_offered() const { return options_->authenticator != nullptr && options_->cram_md5; }
  bool apop_offered() const { return options_->authenticator != nullptr && options_->apop; }
  net::awaitable<bool> send_message(std::size_t index, std::optional<std::uint64_t> body_lines);
  net::awaitable<bool> on_quit_update();
  bool plaintext_allowed() const {
    return auth::plaintext_allowed(options_->plaintext_auth, conn_.stream.tls(), conn_.peer_is_loopback);
  }
  bool stls_offered() const { return options_->tls && options_->starttls && !conn_.stream.tls(); }
  net::awaitable<bool> on_stls(std::string_view arg);
  void capa();
  // Message number argument -> index into messages_, or nullopt after an -ERR reply.
  std::optional<std::size_t> message_arg(std::string_view arg, bool allow_deleted = false);
  void reply(std::string_view text) {
    out_.append(text);
    out_.append("\r\n");
  }
  log::LogLine line(log::Record r) {
    log::LogLine l(log_, r);
    l.with("session", conn_.session_id).with("client", conn_.peer_address);
    if (!user_.empty()) l.with("user", user_);
    return l;
  }

  std::shared_ptr<Pop3Service> service_;
  std::shared_ptr<const Pop3Options> options_;
  net::Connection conn_;
  net::LineReader reader_;
  net::OutputBuffer out_;
  net::SessionControl control_;
  std::shared_ptr<spdlog::logger> log_;

  std::string user_;            // from USER, then the logged-in account
  std::string apop_token_;      // the greeting's "<...>" when APOP is offered
  bool authenticated_ = false;
  bool sasl_too_long_ = false;  // the last SASL response was refused as too long
  std::string mailbox_;         // locked mailbox root
  std::optional<MaildropLease> lease_;  // the maildrop's lease in the store, while mailbox_ is set
  std::vector<store::MessageInfo> messages_;
  std::vector<bool> deleted_;
  int errors_ = 0;
};

net::awaitable<void> Pop3Session::run() {
  if (conn_.over_limit) {
    reply("-ERR [SYS/TEMP] Too many connections, try again later");
    co_await net::close_connection(out_, conn_.stream);
    line(log::Record::session).warn("refused: connection limit");
    co_return;
  }
  auto connect = line(log::Record::session);
  if (conn_.stream.tls()) connect.with("tls", conn_.stream.tls_description());
  connect.info("connect");
  if (apop_offered()) {
    apop_token_ = auth::make_challenge_token(options_->hostname);
    reply(fmt::format("+OK {} dirmail POP3 server ready {}", options_->hostname, apop_token_));
  } else {
    reply(fmt::format("+OK {} dirmail POP3 server ready", options_->hostname));
  }
  for (;;) {
    if (!reader_.has_buffered_line()) {
      if (!co_await out_.flush(conn_.stream, write_timeout)) break;
    }
    if (!control_.begin_wait()) {  // asked to stop while busy
      reply("-ERR [SYS/TEMP] Server shutting down");
      break;
    }
    auto got = co_await reader_.read_line(options_->idle_timeout);
    control_.end_wait();
    if (!got) {
      if (control_.stop_requested()) reply("-ERR [SYS/TEMP] Server shutting down");
      else if (got.error().code == ErrorCode::cancelled) reply("-ERR Autologout; idle for too long");
      break;  // no UPDATE state: deletions are not applied (RFC 1939 §6)
    }
    if (got->truncated) {
      while (got && !got->complete) got = co_await reader_.read_line(options_->idle_timeout);
      if (!got) break;
      reply("-ERR Line too long");
      ++errors_;
      continue;
    }
    auto cmd = parse_pop3_command(got->text);
    bool keep_going = true;
    if (!cmd) {
      reply(fmt::format("-ERR {}", cmd.error().message));
      ++errors_;
    } else {
      keep_going = authenticated_ ? co_await transaction(*cmd) : co_await authorization(*cmd);
    }
    if (errors_ >= max_errors) {
      reply("-ERR Too many errors");
      break;
    }
    if (!keep_going) break;
  }
  // UPDATE is over: free the maildrop before the client hears the last reply, so that a
  // client logging in again at once does not find it still locked ([IN-USE]).
  if (!mailbox_.empty()) {
    co_await release_maildrop();
  }
  co_await net::close_connection(out_, conn_.stream);
  line(log::Record::session).info("disconnect");
}

void Pop3Session::capa() {
  reply("+OK Capability list follows");
  if (stls_offered()) reply("STLS");
  reply("TOP");
  reply("UIDL");
  if (!authenticated_ && plaintext_allowed()) reply("USER");
  if (!authenticated_) {
    std::string mechanisms;
    if (gssapi_offered()) mechanisms += " GSSAPI GSS-SPNEGO";
    if (cram_md5_offered()) mechanisms += " CRAM-MD5";
    if (password_auth_offered()) mechanisms += " PLAIN LOGIN";
    if (!mechanisms.empty()) reply("SASL" + mechanisms);
  }
  reply("RESP-CODES");
  reply("AUTH-RESP-CODE");
  reply("PIPELINING");
  reply("IMPLEMENTATION dirmail");
  reply(".");
}

net::awaitable<bool> Pop3Session::authorization(const Pop3Command& cmd) {
  switch (cmd.verb) {
    case Pop3Verb::capa:
      capa();
      co_return true;
    case Pop3Verb::quit:
      reply("+OK Bye");
      co_return false;
    case Pop3Verb::noop:
      reply("-ERR Log in first");
      co_return true;
    case Pop3Verb::stls:
      co_return co_await on_stls(cmd.arg);
    case Pop3Verb::user:
      if (!plaintext_allowed()) {
        reply("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections");
        co_return true;
      }
      if (cmd.arg.empty()) {
        reply("-ERR USER needs a name");
        ++errors_;
        co_return true;
      }
      user_ = std::string(cmd.arg);
      reply("+OK");
      co_return true;
    case Pop3Verb::pass:
      if (user_.empty()) {
        reply("-ERR USER first");
        ++errors_;
        co_return true;
      }
      co_await on_pass(cmd.arg);
      co_return true;
    case Pop3Verb::auth:
      co_return co_await on_auth(cmd.arg);
    case Pop3Verb::apop:
      co_await on_apop(cmd.arg);
      co_return true;
    default:
      reply("-ERR Unknown command in AUTHORIZATION state");
      ++errors_;
      co_return true;
  }
}

// RFC 2595 §4. Input pipelined behind STLS arrived in the clear and is dropped unread.
net::awaitable<bool> Pop3Session::on_stls(std::string_view arg) {
  if (conn_.stream.tls()) {
    reply("-ERR Command not permitted when TLS active");
    ++errors_;
    co_return true;
  }
  if (!stls_offered()) {
    reply("-ERR STLS not available");
    ++errors_;
    co_return true;
  }
  if (!arg.empty()) {
    reply("-ERR STLS takes no argument");
    ++errors_;
    co_return true;
  }
  user_.clear();
  reply("+OK Begin TLS negotiation");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
  reader_.discard_buffer();
  auto started = co_await conn_.stream.start_tls(*options_->tls, options_->handshake_timeout);
  if (!started) {
    line(log::Record::session).with("error", started.error().message).warn("STLS failed");
    co_return false;
  }
  line(log::Record::session).with("tls", conn_.stream.tls_description()).info("STLS");
  co_return true;
}

net::awaitable<void> Pop3Session::on_pass(std::string_view password) {
  if (!password_auth_offered()) {
    reply("-ERR [AUTH] Authentication failed");
    user_.clear();
    co_return;
  }
  auth::PasswordCredentials credentials{"", user_, std::string(password)};
  auto check = [authenticator = options_->authenticator, credentials] {
    return authenticator->password(credentials, auth::PasswordSource::directory);
  };
  co_await finish_login(user_, "user", check);
}

// RFC 1939 §7: "APOP name digest", the digest over the greeting's token and the
// secrets-file password.
net::awaitable<void> Pop3Session::on_apop(std::string_view arg) {
  auto space = arg.rfind(' ');
  if (!apop_offered()) {
    reply("-ERR APOP not available");
    ++errors_;
    co_return;
  }
  if (space == std::string_view::npos || space == 0) {
    reply("-ERR APOP needs a name and a digest");
    ++errors_;
    co_return;
  }
  std::string name(trim(arg.substr(0, space)));
  std::string digest(arg.substr(space + 1));
  auto check = [authenticator = options_->authenticator, name, digest, token = apop_token_] {
    return authenticator->shared_secret(name, [&](std::string_view secret) { return auth::apop_proves(secret, token, digest); });
  };
  co_await finish_login(name, "apop", check);
}

net::awaitable<void> Pop3Session::finish_login(std::string login, std::string_view mechanism,
                                               std::function<auth::LoginAnswer()> check) {
  user_ = login;
  auth::GuardedLogin guard(service_->limiter, auth::limiter_address(conn_.peer_address, conn_.peer_is_loopback, options_->limit_loopback_logins), login);
  co_await net::pause(guard.delay());  // grows with recent failures from this client or for this account
  if (!guard.may_check()) {
    auth::count_login("pop3", auth::LoginResult::rate_limited);
    line(log::Record::auth).with("limit", guard.refusal()).warn("login refused: too many failed or pending checks for this account or address");
    reply("-ERR [AUTH] Authentication failed");
    user_.clear();
    ++errors_;
    co_return;
  }
  auto verified = co_await net::run_with_retry(*service_->pool, options_->directory_retry, check);
  guard.record(verified);
  if (!verified && auth::is_password_expired(verified.error())) {
    auth::count_login("pop3", auth::LoginResult::password_expired);
    line(log::Record::auth).with("mechanism", mechanism).warn("login failed: password expired");
    reply("-ERR [AUTH] Authentication failed");  // RFC 3206 has no code for it
    user_.clear();
    ++errors_;
    co_return;
  }
  if (!verified) {
    auth::count_login("pop3", auth::LoginResult::directory_unavailable);
    line(log::Record::auth).with("mechanism", mechanism).with("error", verified.error().message).warn("login failed: directory unavailable");
    reply("-ERR [SYS/TEMP] Directory unavailable, try again later");
    user_.clear();
    co_return;
  }
  if (!verified->has_value()) {
    auth::count_login("pop3", auth::LoginResult::wrong_credentials);
    line(log::Record::auth).with("mechanism", mechanism).warn("login failed: wrong credentials");
    co_await net::pause(failed_login_delay);  // slows guessing without locking the account
    reply("-ERR [AUTH] Authentication failed");
    user_.clear();
    ++errors_;
    co_return;
  }
  co_await open_maildrop(**verified);
}

net::awaitable<void> Pop3Session::open_maildrop(const directory::Account& account) {
  auto root = options_->mailboxes.root_for({account.name, account.domain, account.home});
  if (!root) {
    auth::count_login("pop3", auth::LoginResult::mailbox_unavailable);
    line(log::Record::auth).with("error", root.error().message).error("bad mailbox path");
    reply("-ERR [SYS/PERM] Mailbox path is invalid; tell the administrator");
    user_.clear();
    co_return;
  }
  if (!service_->locks.try_lock(*root)) {
    auth::count_login("pop3", auth::LoginResult::mailbox_unavailable);
    reply("-ERR [IN-USE] Mailbox is in use by another session");
    user_.clear();
    co_return;
  }
  mailbox_ = *root;
  auto* st = service_->store;
  // Another process or node sharing the store may have the maildrop: the store's lease.
  lease_.emplace(*st, *root, options_->node_name, conn_.session_id, options_->idle_timeout + std::chrono::minutes(1),
                 &service_->sole_writer);
  auto leased = co_await service_->pool->run([lease = &*lease_] { return lease->acquire(); });
  if (!leased) {
    const bool in_use = leased.error().code == ErrorCode::already_exists;
    auth::count_login("pop3", auth::LoginResult::mailbox_unavailable);
    line(log::Record::auth).with("error", leased.error().message).warn(in_use ? "mailbox in use" : "cannot lease the mailbox");
    reply(in_use ? "-ERR [IN-USE] Mailbox is in use by another session"
                 : "-ERR [SYS/TEMP] Cannot open the mailbox, try again later");
    lease_.reset();
    service_->locks.unlock(mailbox_);
    mailbox_.clear();
    user_.clear();
    co_return;
  }
  auto load = [st, r = *root] { return st->status(r, inbox); };
  auto status = co_await service_->pool->run(load);
  if (!status) {
    auth::count_login("pop3", auth::LoginResult::mailbox_unavailable);
    line(log::Record::auth).with("error", status.error().message).error("cannot open mailbox");
    reply("-ERR [SYS/TEMP] Cannot open the mailbox, try again later");
    co_await release_maildrop();
    user_.clear();
    co_return;
  }
  messages_ = std::move(status->messages);
  deleted_.assign(messages_.size(), false);
  user_ = account.address();
  authenticated_ = true;
  auth::count_login("pop3", auth::LoginResult::ok);
  line(log::Record::auth).with("messages", messages_.size()).info("login");
  std::uint64_t total = 0;
  for (const auto& m : messages_) total += m.size;
  reply(fmt::format("+OK Logged in, {} messages ({} octets)", messages_.size(), total));
}

net::awaitable<std::optional<std::string>> Pop3Session::sasl_challenge(std::string_view challenge) {
  reply(fmt::format("+ {}", challenge));
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return std::nullopt;
  // RFC 5034 §4: the 255-octet line limit does not bind SASL responses.
  auto got = co_await net::read_long_line(reader_, auth::max_gssapi_response, options_->idle_timeout);
  if (!got) {
    if (got.error().code != ErrorCode::limit_exceeded) co_return std::nullopt;
    reply("-ERR Authentication response too long");
    ++errors_;
    sasl_too_long_ = true;
    co_return std::string("*");
  }
  co_return std::move(*got);
}

// RFC 5034. The mechanism's failures answer -ERR; the session stays in AUTHORIZATION.
net::awaitable<bool> Pop3Session::on_auth(std::string_view arg) {
  auto space = arg.find(' ');
  std::string mechanism(arg.substr(0, space));
  std::string initial(space == std::string_view::npos ? std::string_view() : arg.substr(space + 1));
  if (mechanism.empty()) {
    reply("-ERR AUTH needs a mechanism");
    ++errors_;
    co_return true;
  }
  if (auto gss = auth::parse_gss_mechanism(mechanism); gss && gssapi_offered())
    co_return co_await on_auth_gssapi(*gss, initial);
  auto known = auth::parse_sasl_password_mechanism(mechanism);
  bool offered = known && (*known == auth::SaslPasswordMechanism::cram_md5 ? cram_md5_offered() : password_auth_offered());
  if (known && !offered && auth::sends_password(*known) && options_->authenticator != nullptr) {
    reply("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections");
    co_return true;
  }
  if (!offered) {
    reply("-ERR Unsupported authentication mechanism");
    ++errors_;
    co_return true;
  }
  using State = auth::SaslPasswordExchange::State;
  auth::SaslPasswordExchange exchange(*known, options_->hostname);
  std::optional<std::string_view> first;
  if (!initial.empty()) first = initial == "=" ? std::string_view() : std::string_view(initial);
  auto step = exchange.start(first);
  while (step.state == State::challenge) {
    auto r = co_await sasl_challenge(step.challenge);
    if (!r) co_return false;
    if (sasl_cancelled(*r)) co_return true;
    step = exchange.respond(*r);
  }
  if (step.state != State::done) {
    reply("-ERR Malformed authentication response");
    ++errors_;
    co_return true;
  }
  auto check = [authenticator = options_->authenticator, claim = exchange.claim()] {
    return authenticator->check(claim, auth::PasswordSource::directory);
  };
  co_await finish_login(exchange.claim().login(), auth::to_string(*known), check);
  co_return true;
}

// Kerberos single sign-on: no password, so nothing for the login limiter; the
// account must still be one that may log in to mail.
net::awaitable<bool> Pop3Session::on_auth_gssapi(auth::GssMechanism mechanism, std::string_view initial) {
  const std::string_view mech = auth::log_name(mechanism);
  auth::GssapiExchange exchange(options_->gssapi, mechanism);
  std::string response(initial == "=" ? std::string_view() : initial);
  bool have_response = !initial.empty();
  auth::GssapiStep result;
  for (;;) {
    if (!have_response) {
      auto r = co_await sasl_challenge(result.challenge);
      if (!r) co_return false;
      response = std::move(*r);
    }
    have_response = false;
    if (sasl_cancelled(response)) co_return true;
    auto step = [ex = &exchange, response] { return ex->step(response); };  // named: see BlockingPool::run
    result = co_await service_->pool->run(step);
    if (result.state != auth::GssapiStep::State::challenge) break;
  }
  if (result.state == auth::GssapiStep::State::failed) {
    auth::count_login("pop3", auth::LoginResult::kerberos_failed);
    line(log::Record::auth).with("mechanism", mech).with("reason", result.reason).warn("login failed: Kerberos");
    reply("-ERR [AUTH] Authentication failed");
    ++errors_;
    co_return true;
  }
  auto* directory = service_->directory;
  auto find = [directory, name = result.account] { return auth::find_login_account(*directory, name); };  // named: see BlockingPool::run
  auto account = co_await net::run_with_retry(*service_->pool, options_->directory_retry, find);
  if (!account) {
    auth::count_login("pop3", auth::LoginResult::directory_unavailable);
    line(log::Record::auth).with("login", result.principal).with("error", account.error().message).warn("login failed: directory unavailable");
    reply("-ERR [SYS/TEMP] Directory unavailable, try again later");
    co_return true;
  }
  if (!account->has_value()) {
    auth::count_login("pop3", auth::LoginResult::not_mail_user);
    line(log::Record::auth).with("login", result.principal).with("mechanism", mech).warn("login failed: not a mail user who may log in");
    reply("-ERR [AUTH] Authentication failed");
    ++errors_;
    co_return true;
  }
  line(log::Record::auth).with("login", result.principal).with("mechanism", mech).info("Kerberos principal accepted");
  co_await open_maildrop(**account);
  co_return true;
}

std::optional<std::size_t> Pop3Session::message_arg(std::string_view arg, bool allow_deleted) {
  auto parsed = parse_decimal(arg, 10);
  std::uint64_t n = parsed.value_or(0);
  if (n == 0 || n > messages_.size()) {
    reply("-ERR No such message");
    return std::nullopt;
  }
  if (deleted_[n - 1] && !allow_deleted) {
    reply("-ERR Message is deleted");
    return std::nullopt;
  }
  return static_cast<std::size_t>(n - 1);
}

net::awaitable<void> Pop3Session::release_maildrop() {
  if (lease_) {
    auto released = co_await service_->pool->run([lease = &*lease_] { return lease->release(); });
    if (!released) line(log::Record::session).with("error", released.error().message).warn("cannot release the mailbox lease");
    lease_.reset();
  }
  service_->locks.unlock(mailbox_);
  mailbox_.clear();
}

net::awaitable<bool> Pop3Session::transaction(const Pop3Command& cmd) {
  if (lease_ && lease_->renewal_due()) {
    auto renewed = co_await service_->pool->run([lease = &*lease_] { return lease->renew_if_due(); });
    if (!renewed) line(log::Record::session).with("error", renewed.error().message).warn("cannot renew the mailbox lease");
  }
  switch (cmd.verb) {
    case Pop3Verb::capa:
      capa();
      co_return true;
    case Pop3Verb::noop:
      reply("+OK");
      co_return true;
    case Pop3Verb::stat: {
      std::uint64_t count = 0, size = 0;
      for (std::size_t i = 0; i < messages_.size(); ++i)
        if (!deleted_[i]) ++count, size += messages_[i].size;
      reply(fmt::format("+OK {} {}", count, size));
      co_return true;
    }
    case Pop3Verb::list:
    case Pop3Verb::uidl: {
      bool uidl = cmd.verb == Pop3Verb::uidl;
      auto item = [&](std::size_t i) {
        return uidl ? fmt::format("{} {}", i + 1, messages_[i].uidl) : fmt::format("{} {}", i + 1, messages_[i].size);
      };
      if (!cmd.arg.empty()) {
        if (auto i = message_arg(cmd.arg)) reply("+OK " + item(*i));
        co_return true;
      }
      reply(uidl ? "+OK Unique-ID listing follows" : "+OK Scan listing follows");
      for (std::size_t i = 0; i < messages_.size(); ++i)
        if (!deleted_[i]) reply(item(i));
      reply(".");
      co_return true;
    }
    case Pop3Verb::retr: {
      auto i = message_arg(cmd.arg);
      if (!i) co_return true;
      co_return co_await send_message(*i, std::nullopt);
    }
    case Pop3Verb::top: {
      auto words = split(cmd.arg, ' ');
      auto lines = words.size() == 2 ? parse_decimal(words[1], 10) : std::nullopt;
      if (!lines) {
        reply("-ERR Syntax: TOP msg n");
        ++errors_;
        co_return true;
      }
      auto i = message_arg(words[0]);
      if (!i) co_return true;
      co_return co_await send_message(*i, lines);
    }
    case Pop3Verb::dele: {
      auto i = message_arg(cmd.arg);
      if (!i) co_return true;
      deleted_[*i] = true;
      reply(fmt::format("+OK Message {} deleted", *i + 1));
      co_return true;
    }
    case Pop3Verb::rset:
      deleted_.assign(messages_.size(), false);
      reply(fmt::format("+OK {} messages", messages_.size()));
      co_return true;
    case Pop3Verb::quit:
      co_return co_await on_quit_update();
    default:
      reply("-ERR Unknown command in TRANSACTION state");
      ++errors_;
      co_return true;
  }
}

net::awaitable<bool> Pop3Session::send_message(std::size_t index, std::optional<std::uint64_t> body_lines) {
  auto* st = service_->store;
  std::uint32_t uid = messages_[index].uid;
  auto open = [st, r = mailbox_, uid] { return st->open_message(r, inbox, uid); };
  auto opened = co_await service_->pool->run(open);
  if (!opened && opened.error().code == ErrorCode::not_found) {
    // Deleted by an IMAP session since this one listed it: gone for good, not a fault.
    line(log::Record::session).with("uid", uid).info("message deleted by another session");
    reply("-ERR This message was deleted by another session");
    co_return true;
  }
  if (!opened) {
    line(log::Record::session).with("uid", uid).with("error", opened.error().message).error("cannot read message");
    reply("-ERR [SYS/TEMP] Cannot read the message");
    co_return true;
  }
  auto reader = std::move(*opened);
  reply(body_lines ? "+OK Top of message follows" : fmt::format("+OK {} octets", messages_[index].size));
  DotStuffer stuffer(body_lines);
  std::string chunk(read_chunk, '\0');
  std::string stuffed;
  for (;;) {
    auto n = co_await service_->pool->run(
        [&reader, &chunk] { return reader->read(std::span<char>(chunk.data(), chunk.size())); });
    if (!n) {
      // Mid-response: the client cannot be told cleanly; close the connection.
      line(log::Record::session).with("uid", uid).with("error", n.error().message).error("read failed mid-message");
      co_return false;
    }
    if (*n == 0) break;
    stuffed.clear();
    bool more = stuffer.feed(std::string_view(chunk.data(), *n), stuffed);
    out_.append(stuffed);
    if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
    if (!more) break;
  }
  stuffed.clear();
  stuffer.finish(stuffed);
  out_.append(stuffed);
  co_return true;
}

net::awaitable<bool> Pop3Session::on_quit_update() {
  std::vector<std::uint32_t> uids;
  for (std::size_t i = 0; i < messages_.size(); ++i)
    if (deleted_[i]) uids.push_back(messages_[i].uid);
  if (!uids.empty()) {
    auto* st = service_->store;
    auto expunge = [st, r = mailbox_, &uids] { return st->expunge(r, inbox, uids); };
    auto done = co_await service_->pool->run(expunge);
    if (!done) {
      line(log::Record::store).with("error", done.error().message).error("expunge failed");
      reply("-ERR [SYS/TEMP] Some deleted messages were not removed");
      co_return false;
    }
    line(log::Record::store).with("expunged", uids.size()).info("expunge");
  }
  reply(fmt::format("+OK Bye, {} messages deleted", uids.size()));
  co_return false;
}

}  // namespace

net::awaitable<void> run_pop3_session(std::shared_ptr<Pop3Service> service, net::Connection connection) {
  Pop3Session session(std::move(service), std::move(connection));
  co_await session.run();
}

}  // namespace dirmail::pop3
