// One SMTP/ESMTP session (RFC 5321): greeting, commands, the DATA transfer into the
// durable queue, and 250 only after the queue has committed the message.
#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/pause.hpp"
#include "dirmail/net/retrying_call.hpp"
#include "dirmail/net/session_control.hpp"
#include "dirmail/smtp/command.hpp"
#include "dirmail/smtp/smtp_service.hpp"
#include "smtp_session.hpp"

namespace dirmail::smtp {

net::awaitable<void> SmtpSession::run() {
  const auto& host = options_->hostname;
  if (conn_.over_limit) {
    reply(fmt::format("421 4.7.0 {} Too many connections, try again later", host));
    co_await net::close_connection(out_, conn_.stream);
    line(log::Record::session).warn("refused: connection limit");
    co_return;
  }
  auto connect = line(log::Record::session);
  connect.with("local", fmt::format("{}:{}", conn_.local_address, conn_.local_port));
  if (conn_.stream.tls()) connect.with("tls", conn_.stream.tls_description());
  connect.info("connect");
  if (options_->greeting_delay.count() > 0) {
    // A client that talks before the greeting does not follow the protocol: the mark of
    // a spam engine (RFC 5321 §4.3.1: the client waits for the 220).
    auto early = co_await reader_.read_bytes(1, options_->greeting_delay);
    if (early || early.error().code != ErrorCode::cancelled) {
      if (early) {
        line(log::Record::session).warn("refused: the client spoke before the greeting");
        reply(fmt::format("554 5.5.0 {} Error: SMTP protocol synchronization", host));
      }
      co_await net::close_connection(out_, conn_.stream);
      co_return;
    }
  }
  reply(fmt::format("220 {} ESMTP dirmail", host));
  for (;;) {
    if (control_.stop_requested()) {
      reply(fmt::format("421 4.3.2 {} Service shutting down, closing connection", host));
      break;
    }
    if (!reader_.has_buffered_line()) {
      if (!co_await out_.flush(conn_.stream, write_timeout)) break;
    }
    if (!control_.begin_wait()) continue;  // asked to stop while busy: say so at the top
    auto got = co_await reader_.read_line(options_->command_timeout);
    control_.end_wait();
    if (!got) {
      if (got.error().code == ErrorCode::cancelled) {
        if (control_.stop_requested())
          reply(fmt::format("421 4.3.2 {} Service shutting down, closing connection", host));
        else
          reply(fmt::format("421 4.4.2 {} Error: timeout exceeded", host));
      }
      break;
    }
    if (got->truncated) {
      if (!co_await discard_long_line()) break;
      reply("500 5.5.2 Error: line too long");
      continue;
    }
    auto cmd = parse_command(got->text);
    bool keep_going = true;
    if (!cmd) {
      reply(cmd.error().code == ErrorCode::limit_exceeded ? "500 5.5.2 Error: line too long"
                                                           : fmt::format("501 5.5.4 Syntax: {}", cmd.error().message));
      ++errors_;
    } else {
      keep_going = co_await handle(*cmd);
    }
    if (errors_ >= max_errors) {
      reply(fmt::format("421 4.7.0 {} Error: too many errors", host));
      break;
    }
    if (!keep_going) break;
  }
  co_await net::close_connection(out_, conn_.stream);
  line(log::Record::session).info("disconnect");
}

net::awaitable<bool> SmtpSession::discard_long_line() {
  for (;;) {
    auto got = co_await reader_.read_line(options_->command_timeout);
    if (!got) co_return false;
    if (got->complete) co_return true;
  }
}

void SmtpSession::reset_transaction() {
  have_sender_ = false;
  sender_.clear();
  sender_path_ = {};
  sender_class_.reset();
  mail_params_ = {};
  recipients_.clear();
  recipient_dsn_.clear();
  if (bdat_writer_) bdat_writer_->abort();
  bdat_intake_.reset();
  bdat_writer_.reset();
}

void SmtpSession::remember_auth_user(const directory::Account& account) {
  auth_user_ = account.address();
  auth_addresses_ = {to_lower(auth_user_)};
  for (const auto& a : account.addresses) auth_addresses_.push_back(to_lower(a));
}

void SmtpSession::ehlo_reply(std::string_view name) {
  reply(fmt::format("250-{} Hello {}", options_->hostname, name));
  reply("250-PIPELINING");
  reply(fmt::format("250-SIZE {}", options_->max_message_size));
  reply("250-8BITMIME");
  reply("250-SMTPUTF8");
  reply("250-DSN");
  reply("250-CHUNKING");
  if (options_->vrfy) reply("250-VRFY");
  if (starttls_offered()) reply("250-STARTTLS");
  std::string mechanisms;
  if (gssapi_offered()) mechanisms += " GSSAPI GSS-SPNEGO";
  if (mechanism_offered(auth::SaslPasswordMechanism::cram_md5)) mechanisms += " CRAM-MD5";
  if (password_auth_offered()) mechanisms += " PLAIN LOGIN";
  if (!mechanisms.empty()) reply("250-AUTH" + mechanisms);
  reply("250 ENHANCEDSTATUSCODES");
}

net::awaitable<bool> SmtpSession::handle(const Command& cmd) {
  switch (cmd.verb) {
    case Verb::helo:
    case Verb::ehlo:
      // The name goes into our replies, the Received: field and the queue file: a
      // control character (a bare CR, NUL) in it is a syntax error, not text.
      if (cmd.arg.empty() || escape_control(cmd.arg).size() != cmd.arg.size()) {
        reply(fmt::format("501 5.5.4 Syntax: {} hostname", cmd.verb == Verb::ehlo ? "EHLO" : "HELO"));
        ++errors_;
        co_return true;
      }
      reset_transaction();
      helo_ = std::string(cmd.arg.substr(0, 255));
      esmtp_ = cmd.verb == Verb::ehlo;
      if (esmtp_)
        ehlo_reply(helo_);
      else
        reply(fmt::format("250 {}", options_->hostname));
      co_return true;
    case Verb::mail:
      co_await on_mail(cmd.arg);
      co_return true;
    case Verb::rcpt:
      co_await on_rcpt(cmd.arg);
      co_return true;
    case Verb::data:
      co_return co_await on_data();
    case Verb::rset:
      reset_transaction();
      reply("250 2.0.0 Ok");
      co_return true;
    case Verb::noop:
      reply("250 2.0.0 Ok");
      co_return true;
    case Verb::quit:
      reply(fmt::format("221 2.0.0 {} Bye", options_->hostname));
      co_return false;
    case Verb::vrfy:
    case Verb::expn:
      co_await on_vrfy(cmd.arg, cmd.verb == Verb::expn);
      co_return true;
    case Verb::help:
      reply("214-2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP AUTH STARTTLS");
      reply("214 2.0.0 See RFC 5321; dirmail");
      co_return true;
    case Verb::bdat:
      co_return co_await on_bdat(cmd.arg);
    case Verb::auth:
      co_return co_await on_auth(cmd.arg);
    case Verb::starttls:
      co_return co_await on_starttls(cmd.arg);
    case Verb::unknown:
      reply("500 5.5.2 Error: command not recognized");
      ++errors_;
      co_return true;
  }
  co_return true;
}

net::awaitable<void> SmtpSession::on_mail(std::string_view arg) {
  if (helo_.empty()) {
    reply("503 5.5.1 Error: send HELO/EHLO first");
    ++errors_;
    co_return;
  }
  if (auth_user_.empty() && options_->require_auth) {
    reply("530 5.7.0 Authentication required");
    co_return;
  }
  if (have_sender_) {
    reply("503 5.5.1 Error: nested MAIL command");
    ++errors_;
    co_return;
  }
  auto parsed = parse_reverse_path(arg);
  if (!parsed) {
    reply(fmt::format("501 5.1.7 Bad sender address syntax: {}", parsed.error().message));
    ++errors_;
    co_return;
  }
  auto params = parse_mail_parameters(parsed->params, esmtp_);
  if (!params) {
    reply(params.error().message);
    ++errors_;
    co_return;
  }
  if (params->size && options_->max_message_size > 0 && *params->size > options_->max_message_size) {
    reply("552 5.3.4 Message size exceeds fixed limit");
    co_return;
  }
  if (!params->smtputf8 && !is_ascii(parsed->path.address())) {
    reply("553 5.6.7 Non-ASCII sender address needs the SMTPUTF8 parameter");
    ++errors_;
    co_return;
  }
  // The null sender (a read receipt, RFC 8098) belongs to nobody and is not checked.
  if (!auth_user_.empty() && options_->sender_trust != SenderTrust::auth_id && !parsed->path.null() &&
      !owned_by_auth_user(parsed->path.address())) {
    line(log::Record::accept).with("user", auth_user_).with("from", parsed->path.address())
        .warn("envelope sender not owned by the authenticated user (sender trust)");
    reply(fmt::format("553 5.7.1 <{}>: Sender address not owned by {}", parsed->path.address(), auth_user_));
    co_return;
  }
  // Security level 2 asks everyone to AUTH; level 3 the senders with an SMTP-AUTH
  // password; a "norelay,2" rule for the client waives both (relay_rules.hpp).
  const bool waived = relay_rules().waives_auth_requirement(IpAddress::parse(conn_.peer_address),
                                                            EnvelopeSender::from_path(parsed->path));
  if (auth_user_.empty() && options_->security_level == SecurityLevel::auth_only && !waived) {
    reply("530 5.7.0 Authentication required");
    co_return;
  }
  if (auth_user_.empty() && options_->security_level == SecurityLevel::auth_file && !waived) {
    auto needs = co_await sender_needs_auth(parsed->path.address());
    if (!needs) co_return;
    if (*needs) {
      line(log::Record::accept).with("from", parsed->path.address()).info("sender must authenticate (auth_file level)");
      reply("530 5.7.0 Authentication required");
      co_return;
    }
  }
  have_sender_ = true;
  sender_ = parsed->path.address();
  sender_path_ = parsed->path;
  mail_params_ = std::move(*params);
  line(log::Record::accept).with("helo", helo_).with("from", sender_).info("MAIL FROM");
  reply("250 2.1.0 Ok");
}

net::awaitable<void> SmtpSession::on_rcpt(std::string_view arg) {
  if (!have_sender_) {
    reply("503 5.5.1 Error: need MAIL command");
    ++errors_;
    co_return;
  }
  auto parsed = parse_forward_path(arg);
  if (!parsed) {
    reply(fmt::format("501 5.1.3 Bad recipient address syntax: {}", parsed.error().message));
    ++errors_;
    co_return;
  }
  auto params = parse_rcpt_parameters(parsed->params, esmtp_);
  if (!params) {
    reply(params.error().message);
    ++errors_;
    co_return;
  }
  if (!mail_params_.smtputf8 && !is_ascii(parsed->path.address())) {
    reply("553 5.6.7 Non-ASCII recipient address needs the SMTPUTF8 parameter of MAIL");
    ++errors_;
    co_return;
  }
  if (recipients_.size() >= options_->max_recipients) {
    reply("452 4.5.3 Error: too many recipients");
    co_return;
  }
  std::string address = parsed->path.address();
  if (parsed->path.domain.empty()) address = "postmaster@" + options_->hostname;  // <postmaster>
  auto* dir = service_->directory;
  auto lookup = [dir, address] { return dir->resolve_recipient(address); };  // named: see BlockingPool::run
  auto resolved = co_await net::run_with_retry(*service_->pool, options_->directory_retry, lookup);
  if (!resolved) {
    if (resolved.error().code == ErrorCode::invalid_argument) {
      reply(fmt::format("501 5.1.3 <{}>: Bad recipient address", address));
      co_return;
    }
    line(log::Record::session).with("to", address).with("error", resolved.error().message).warn("directory lookup failed");
    reply(fmt::format("451 4.4.3 <{}>: Directory unavailable, try again later", address));
    co_return;
  }
  if (resolved->kind == directory::RecipientKind::account && resolved->account->may_receive == false &&
      resolved->account->state != directory::AccountState::not_mail_user) {
    line(log::Record::session).with("to", address)
        .with("state", directory::to_string(resolved->account->state)).info("recipient refused by account state");
    reply(fmt::format("550 5.2.1 <{}>: Mailbox disabled", address));
    ++errors_;
    co_return;
  }
  if (!co_await relay_permits(address, *resolved)) co_return;
  // Aliases are checked at delivery, target by target.
  if (resolved->kind == directory::RecipientKind::account && !co_await mailbox_has_room(address, *resolved->account))
    co_return;
  recipients_.push_back(std::move(address));
  recipient_dsn_.push_back({params->notify, params->orcpt});
  reply("250 2.1.5 Ok");
}

// RFC 3207. Input the client sent after STARTTLS, before the handshake, is dropped
// unread: it arrived in the clear and could have been injected (CVE-2011-0411).
net::awaitable<bool> SmtpSession::on_starttls(std::string_view arg) {
  if (conn_.stream.tls()) {
    reply("554 5.5.1 Error: TLS already active");
    ++errors_;
    co_return true;
  }
  if (!starttls_offered()) {
    reply("502 5.5.1 Error: command not implemented");
    ++errors_;
    co_return true;
  }
  if (!arg.empty()) {
    reply("501 5.5.4 Syntax: STARTTLS");
    ++errors_;
    co_return true;
  }
  reply("220 2.0.0 Ready to start TLS");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
  reader_.discard_buffer();
  auto started = co_await conn_.stream.start_tls(*options_->tls, options_->handshake_timeout);
  if (!started) {
    line(log::Record::session).with("error", started.error().message).warn("STARTTLS failed");
    co_return false;
  }
  // The client must start over with EHLO; nothing learnt in the clear carries over.
  helo_.clear();
  esmtp_ = false;
  auth_user_.clear();
  reset_transaction();
  line(log::Record::session).with("tls", conn_.stream.tls_description()).info("STARTTLS");
  co_return true;
}

net::awaitable<void> SmtpSession::on_vrfy(std::string_view arg, bool expn) {
  if (!options_->vrfy) {
    // RFC 5321 §7.3: a server that will not say whether a user exists answers 252.
    if (expn) reply("502 5.5.1 Error: EXPN is disabled");
    else reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
    co_return;
  }
  std::string name(trim(arg));
  if (name.size() >= 2 && name.front() == '<' && name.back() == '>') name = name.substr(1, name.size() - 2);
  if (name.empty() || name.size() > max_path || !valid_utf8(name)) {
    reply(fmt::format("501 5.5.4 Syntax: {} address", expn ? "EXPN" : "VRFY"));
    ++errors_;
    co_return;
  }
  auto* dir = service_->directory;
  // A bare name is an account name (unique across the mail domains in AD).
  auto lookup = [dir, name]() -> Result<directory::Recipient> {
    if (name.find('@') != std::string::npos) return dir->resolve_recipient(name);
    auto account = dir->find_account(name);
    if (!account) {
      if (account.error().code == ErrorCode::not_found) return directory::Recipient{};
      return std::move(account).error();
    }
    return directory::Recipient{directory::RecipientKind::account, std::move(*account), {}};
  };
  auto found = co_await net::run_with_retry(*service_->pool, options_->directory_retry, lookup);
  const std::string shown = escape_control(name);
  if (!found) {
    if (found.error().code == ErrorCode::invalid_argument) reply(fmt::format("501 5.1.3 <{}>: Bad address", shown));
    else reply(fmt::format("451 4.4.3 <{}>: Directory unavailable, try again later", shown));
    co_return;
  }
  line(log::Record::session).with("command", expn ? "EXPN" : "VRFY").with("name", shown).info("address query");
  switch (found->kind) {
    case directory::RecipientKind::account: {
      const auto& a = *found->account;
      if (a.state == directory::AccountState::not_mail_user || !a.may_receive) break;
      if (a.display_name.empty()) reply(fmt::format("250 2.1.5 <{}>", a.address()));
      else reply(fmt::format("250 2.1.5 {} <{}>", escape_control(a.display_name), a.address()));
      co_return;
    }
    case directory::RecipientKind::alias:
      if (!expn) {
        reply(fmt::format("250 2.1.5 <{}>", shown));
        co_return;
      }
      for (std::size_t i = 0; i < found->targets.size(); ++i)
        reply(fmt::format("250{}2.1.5 <{}>", i + 1 == found->targets.size() ? " " : "-", found->targets[i]));
      if (found->targets.empty()) reply(fmt::format("250 2.1.5 <{}>", shown));
      co_return;
    case directory::RecipientKind::not_local:
      reply(fmt::format("551 5.1.6 <{}>: Not a local address", shown));
      co_return;
    case directory::RecipientKind::unknown:
      break;
  }
  reply(fmt::format("550 5.1.1 <{}>: User unknown", shown));
}

net::awaitable<void> run_smtp_session(std::shared_ptr<SmtpService> service, net::Connection connection) {
  SmtpSession session(std::move(service), std::move(connection));
  co_await session.run();
}

}  // namespace dirmail::smtp
