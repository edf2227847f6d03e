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
  recipients_.clear();
}

void SmtpSession::ehlo_reply(std::string_view name) {
  reply(fmt::format("250-{} Hello {}", options_->hostname, name));
  reply("250-PIPELINING");
  reply(fmt::format("250-SIZE {}", options_->max_message_size));
  reply("250-8BITMIME");
  if (starttls_offered()) reply("250-STARTTLS");
  std::string mechanisms;
  if (gssapi_offered()) mechanisms += " GSSAPI";
  if (mechanism_offered(auth::SaslPasswordMechanism::cram_md5)) mechanisms += " CRAM-MD5";
  if (password_auth_offered()) mechanisms += " PLAIN LOGIN";
  if (!mechanisms.empty()) reply("250-AUTH" + mechanisms);
  reply("250 ENHANCEDSTATUSCODES");
}

net::awaitable<bool> SmtpSession::handle(const Command& cmd) {
  switch (cmd.verb) {
    case Verb::helo:
    case Verb::ehlo:
      if (cmd.arg.empty()) {
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
      reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
      co_return true;
    case Verb::help:
      reply("214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP");
      co_return true;
    case Verb::auth:
      co_return co_await on_auth(cmd.arg);
    case Verb::starttls:
      co_return co_await on_starttls(cmd.arg);
    case Verb::expn:
    case Verb::bdat:
      reply("502 5.5.1 Error: command not implemented");
      ++errors_;
      co_return true;
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
  if (auth_user_.empty() && (options_->require_auth || options_->security_level == SecurityLevel::auth_only)) {
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
  for (const auto& [key, value] : parsed->params) {
    if (key == "SIZE" && esmtp_) {
      auto size = parse_decimal(value, 20);
      if (!size) {
        reply("501 5.5.4 Bad SIZE parameter");
        ++errors_;
        co_return;
      }
      if (options_->max_message_size > 0 && *size > options_->max_message_size) {
        reply("552 5.3.4 Message size exceeds fixed limit");
        co_return;
      }
    } else if (key == "BODY" && esmtp_ && (iequals(value, "7BIT") || iequals(value, "8BITMIME"))) {
      // 8BITMIME is advertised: nothing to do, we store octets as they come.
    } else {
      reply(fmt::format("555 5.5.4 Unsupported option: {}", key));
      ++errors_;
      co_return;
    }
  }
  if (auth_user_.empty() && options_->security_level == SecurityLevel::auth_file) {
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
  if (!parsed->params.empty()) {
    reply(fmt::format("555 5.5.4 Unsupported option: {}", parsed->params.front().first));
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
  switch (resolved->kind) {
    case directory::RecipientKind::account:
      if (resolved->account->state == directory::AccountState::not_mail_user) {
        reply(fmt::format("550 5.1.1 <{}>: Recipient address rejected: User unknown", address));
        co_return;
      }
      if (!resolved->account->may_receive) {
        line(log::Record::session).with("to", address)
            .with("state", directory::to_string(resolved->account->state)).info("recipient refused by account state");
        reply(fmt::format("550 5.2.1 <{}>: Mailbox disabled", address));
        co_return;
      }
      break;
    case directory::RecipientKind::alias:
      break;
    case directory::RecipientKind::not_local:
      reply(fmt::format("554 5.7.1 <{}>: Relay access denied", address));
      co_return;
    case directory::RecipientKind::unknown:
      reply(fmt::format("550 5.1.1 <{}>: Recipient address rejected: User unknown", address));
      co_return;
  }
  recipients_.push_back(std::move(address));
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

std::string SmtpSession::received_header(const std::string& queue_id) const {
  std::string with = "SMTP";  // RFC 3848: ESMTP, ESMTPS (TLS), ESMTPA (AUTH), ESMTPSA
  if (esmtp_) {
    with = "ESMTP";
    if (conn_.stream.tls()) with += "S";
    if (!auth_user_.empty()) with += "A";
  }
  std::string header = fmt::format("Received: from {} ([{}])\r\n\tby {} (dirmail) with {} id {}", helo_,
                                   conn_.peer_address, options_->hostname, with, queue_id);
  if (recipients_.size() == 1) header += fmt::format("\r\n\tfor <{}>", recipients_.front());
  header += fmt::format("; {}\r\n", rfc5322_date(unix_now()));
  return header;
}

net::awaitable<bool> SmtpSession::on_data() {
  if (!have_sender_) {
    reply("503 5.5.1 Error: need MAIL command");
    ++errors_;
    co_return true;
  }
  if (recipients_.empty()) {
    reply("554 5.5.1 Error: no valid recipients");
    co_return true;
  }
  queue::Envelope env{sender_, recipients_, conn_.peer_address, helo_, auth_user_, unix_now()};
  auto writer = service_->queue->begin(env);
  if (!writer) {
    line(log::Record::session).with("error", writer.error().message).error("cannot create queue file");
    reply(writer.error().code == ErrorCode::temporary_failure ? "452 4.3.1 Error: insufficient system storage"
                                                             : "451 4.3.0 Error: queue file write error");
    co_return true;
  }
  auto& w = **writer;
  reply("354 End data with <CR><LF>.<CR><LF>");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;

  Status write_status = w.write(received_header(w.id()));
  const std::uint64_t limit = options_->max_message_size;
  bool too_big = false;
  bool in_headers = true;
  bool line_start = true;
  bool prev_crlf = true;  // the CR LF that ended the DATA command
  std::string message_id;
  for (;;) {
    auto got = co_await reader_.read_line(options_->data_timeout);
    if (!got) {
      w.abort();
      if (got.error().code == ErrorCode::cancelled)
        reply(fmt::format("421 4.4.2 {} Error: timeout exceeded", options_->hostname));
      line(log::Record::session).with("error", got.error().message).warn("connection lost during DATA");
      co_return false;
    }
    std::string_view text = got->text;
    // Only CR LF "." CR LF ends the data: a dot line with a bare LF before or after it
    // is message text, so no second message can be smuggled past us (or past the
    // next server) in one DATA.
    if (line_start && got->complete && text == "." && got->crlf && prev_crlf) break;
    if (got->complete) prev_crlf = got->crlf;
    if (line_start && !text.empty() && text.front() == '.') text.remove_prefix(1);  // dot-unstuffing
    if (in_headers && line_start) {
      if (got->complete && text.empty()) in_headers = false;
      else if (message_id.empty() && istarts_with(text, "Message-ID:"))
        message_id = std::string(trim(text.substr(11)).substr(0, 256));
    }
    if (!too_big && write_status.ok()) {
      if (limit > 0 && w.size() + text.size() + 2 > limit + 4096) {  // headroom for our Received:
        too_big = true;
      } else {
        write_status = w.write(text);
        if (got->complete && write_status.ok()) write_status = w.write("\r\n");
      }
    }
    line_start = got->complete;
  }
  if (too_big) {
    w.abort();
    reply("552 5.3.4 Error: message file too big");
    reset_transaction();
    co_return true;
  }
  if (write_status.ok()) {
    write_status = co_await service_->pool->run([&w] { return w.commit(); });
  }
  if (!write_status.ok()) {
    w.abort();
    line(log::Record::session).with("error", write_status.error().message).error("queue commit failed");
    if (write_status.error().code == ErrorCode::temporary_failure)
      reply("452 4.3.1 Error: insufficient system storage");
    else
      reply("451 4.3.0 Error: queue file write error");
    reset_transaction();
    co_return true;
  }
  std::string id = w.id();
  auto rec = line(log::Record::receive);
  rec.with("queue_id", id).with("from", sender_).with("size", w.size()).with("nrcpt", recipients_.size());
  if (!message_id.empty()) rec.with("message_id", message_id);
  if (!auth_user_.empty()) rec.with("user", auth_user_);
  for (const auto& r : recipients_) rec.with("to", r);
  rec.info("queued");
  reply(fmt::format("250 2.0.0 Ok: queued as {}", id));
  reset_transaction();
  if (service_->on_queued) service_->on_queued(id);
  co_return true;
}

net::awaitable<void> run_smtp_session(std::shared_ptr<SmtpService> service, net::Connection connection) {
  SmtpSession session(std::move(service), std::move(connection));
  co_await session.run();
}

}  // namespace dirmail::smtp
