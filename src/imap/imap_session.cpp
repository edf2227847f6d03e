// The IMAP session loop: command framing (lines and literals), the not-authenticated
// state (CAPABILITY, STARTTLS; LOGIN and AUTHENTICATE are in authenticate_command.cpp)
// and the dispatch of every command.
#include "imap_session.hpp"

#include <fmt/format.h>

#include "dirmail/auth/guarded_login.hpp"
#include "dirmail/auth/login_account.hpp"
#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/net/retrying_call.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::imap {
namespace {

constexpr int max_errors = 20;
constexpr std::size_t idle_command_capacity = 16 * 1024;  // keep no more than this between commands

}  // namespace

ImapSession::ImapSession(std::shared_ptr<ImapService> service, net::Connection c)
    : service_(std::move(service)),
      options_(service_->options.load()),
      conn_(std::move(c)),
      reader_(conn_.stream),
      control_(*service_->sessions, conn_.stream.socket()),
      log_(log::service(service_->name)) {}

log::LogLine ImapSession::line(log::Record r) {
  log::LogLine l(log_, r);
  l.with("session", conn_.session_id).with("client", conn_.peer_address);
  if (!user_.empty()) l.with("user", user_);
  return l;
}

net::awaitable<bool> ImapSession::flush_if_large() {
  if (out_.size() < flush_threshold) co_return true;
  co_return static_cast<bool>(co_await out_.flush(conn_.stream, write_timeout));
}

std::string ImapSession::capabilities() const {
  std::string caps = "IMAP4rev1 LITERAL+ ID IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN LIST-EXTENDED SPECIAL-USE";
  caps += " ENABLE QUOTA QUOTA=RES-STORAGE";
  caps += " ESEARCH SORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES CONDSTORE QRESYNC";
  caps += fmt::format(" APPENDLIMIT={}", std::min(options_->max_append_size, max_append_message));
  if (state_ == State::not_authenticated) {
    if (starttls_offered()) caps += " STARTTLS";
    if (gssapi_offered()) caps += " AUTH=GSSAPI AUTH=GSS-SPNEGO";  // no password: offered without TLS too
    if (cram_md5_offered()) caps += " AUTH=CRAM-MD5";
    if (password_auth_offered()) caps += " AUTH=PLAIN AUTH=LOGIN";
    else caps += " LOGINDISABLED";
    if (gssapi_offered() || cram_md5_offered() || password_auth_offered()) caps += " SASL-IR";
  }
  return caps;
}

net::awaitable<void> ImapSession::run() {
  if (conn_.over_limit) {
    reply("* BYE [UNAVAILABLE] Too many connections, try again later");
    co_await net::close_connection(out_, conn_.stream);
    line(log::Record::session).warn("refused: connection limit");
    co_return;
  }
  auto connect = line(log::Record::session);
  if (conn_.stream.tls()) connect.with("tls", conn_.stream.tls_description());
  connect.info("connect");
  reply(fmt::format("* OK [CAPABILITY {}] {} dirmail IMAP4rev1 server ready", capabilities(), options_->hostname));
  for (;;) {
    if (control_.stop_requested()) {
      reply("* BYE Server shutting down");
      break;
    }
    if (!reader_.has_buffered_line()) {
      if (!co_await out_.flush(conn_.stream, write_timeout)) break;
      out_.release();  // an idle session keeps no output buffer (a FETCH may have grown it)
    }
    auto framing = co_await read_command();
    if (framing == Framing::closed) break;
    bool keep_going = true;
    if (framing == Framing::command) {
      auto cmd = parse_imap_command(command_, spooled_ ? std::optional(spooled_literal_) : std::nullopt);
      if (!cmd) {
        std::string_view tag = command_tag(command_);
        std::string_view code = cmd.error().code == ErrorCode::limit_exceeded ? "[LIMIT] " : "";
        reply(fmt::format("{} BAD {}{}", tag.empty() ? "*" : tag, code, cmd.error().message));
        ++errors_;
      } else {
        keep_going = co_await execute(*cmd);
      }
    }
    if (command_.capacity() > idle_command_capacity) std::string().swap(command_);
    spooled_.reset();  // closes its file, which frees it
    if (errors_ >= max_errors) {
      reply("* BYE Too many errors");
      break;
    }
    if (!keep_going) break;
  }
  co_await net::close_connection(out_, conn_.stream);
  line(log::Record::session).info("disconnect");
}

// RFC 3501 §6.2.1 / RFC 9051 §6.2.1. Commands pipelined behind STARTTLS arrived in
// the clear and are dropped unread; the client asks for CAPABILITY again over TLS.
net::awaitable<bool> ImapSession::starttls(const std::string& tag) {
  if (conn_.stream.tls()) {
    tagged(tag, "BAD TLS is already active");
    ++errors_;
    co_return true;
  }
  if (!starttls_offered() || state_ != State::not_authenticated) {
    tagged(tag, "BAD STARTTLS is not available");
    ++errors_;
    co_return true;
  }
  tagged(tag, "OK Begin TLS negotiation now");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;
  reader_.discard_buffer();
  auto started = co_await conn_.stream.start_tls(*options_->tls, options_->handshake_timeout);
  if (!started) {
    line(log::Record::session).with("error", started.error().message).warn("STARTTLS failed");
    co_return false;
  }
  line(log::Record::session).with("tls", conn_.stream.tls_description()).info("STARTTLS");
  co_return true;
}

net::awaitable<ImapSession::Framing> ImapSession::read_command() {
  command_.clear();
  spooled_.reset();
  std::size_t literals = 0;
  std::size_t message_bytes = 0;  // APPEND message literals
  std::size_t message_bytes_in_text = 0;  // of those, the ones in command_ (not spooled)
  for (;;) {
    std::size_t line_start = command_.size();
    // Between commands a shutdown may interrupt; inside one (literals) it may not.
    if (line_start == 0 && !control_.begin_wait()) {
      reply("* BYE Server shutting down");
      co_return Framing::closed;
    }
    auto got = co_await reader_.read_line(command_, max_command_line, options_->idle_timeout);
    control_.end_wait();
    if (!got) {
      if (control_.stop_requested()) reply("* BYE Server shutting down");
      else if (got.error().code == ErrorCode::cancelled) reply("* BYE Autologout; idle for too long");
      co_return Framing::closed;
    }
    std::string_view tag = command_tag(command_);
    std::string tagged_prefix = tag.empty() ? "*" : std::string(tag);
    if (*got == ImapReader::LineResult::too_long || command_.size() - message_bytes_in_text > max_command_bytes) {
      // The rest of the line is gone, and with it any literal it announced: the
      // connection cannot be brought back in step.
      reply(fmt::format("{} BAD [LIMIT] Command line too long", tagged_prefix));
      reply("* BYE Command line too long");
      co_return Framing::closed;
    }
    auto marker = trailing_literal(std::string_view(command_).substr(line_start));
    if (!marker) co_return Framing::command;
    // APPEND's message has a limit of its own (and no other before login, so that no
    // stranger makes us hold a large literal); the other literals share the command's.
    const bool message = state_ != State::not_authenticated && is_append_message_literal(command_);
    const std::size_t append_limit = std::min(options_->max_append_size, max_append_message);
    if (message && marker->size > append_limit - std::min(append_limit, message_bytes)) {
      reply(fmt::format("{} NO [TOOBIG] Message larger than the {}-byte APPEND limit", tagged_prefix, append_limit));
      if (!marker->synchronizing) {
        reply("* BYE [TOOBIG] Message too large");  // it is on its way: no way to stay in step
        co_return Framing::closed;
      }
      co_return Framing::rejected;  // the client waits for "+" and sends nothing
    }
    if (spooled_) {  // nothing may follow APPEND's message: it is not read to find that out
      if (!marker->synchronizing) {
        reply("* BYE Literal after APPEND's message");
        co_return Framing::closed;
      }
      reply(fmt::format("{} BAD Nothing may follow APPEND's message", tagged_prefix));
      ++errors_;
      co_return Framing::rejected;
    }
    bool too_big = ++literals > max_literals ||
                   (!message && (marker->size > max_literal ||
                                 marker->size > max_command_bytes - (command_.size() - message_bytes_in_text)));
    if (too_big) {
      if (!marker->synchronizing) {
        reply("* BYE [LIMIT] Literal too large");
        co_return Framing::closed;
      }
      reply(fmt::format("{} BAD [LIMIT] Literal too large", tagged_prefix));  // the client will not send it
      ++errors_;
      co_return Framing::rejected;
    }
    auto size = static_cast<std::size_t>(marker->size);
    // A large message goes to a file as it arrives. A client that waits for "+" hears
    // first whether it fits the mailbox and whether the file could be made.
    const bool spool = message && size > message_spool_threshold;
    if (spool) {
      if (marker->synchronizing && !co_await mailbox_has_room(tagged_prefix, size)) co_return Framing::rejected;
      spooled_ = std::make_unique<SpooledMessage>(SpooledMessage::create(options_->spool_dir));
      if (marker->synchronizing && !spooled_->status()) {
        store_failure(tagged_prefix, spooled_->status().error(), "cannot spool APPEND message");
        spooled_.reset();
        co_return Framing::rejected;
      }
    }
    if (marker->synchronizing) {
      reply("+ Ready for literal data");
      if (!co_await out_.flush(conn_.stream, write_timeout)) co_return Framing::closed;
    }
    command_.append("\r\n");
    if (message) message_bytes += size;
    if (spool) {
      spooled_literal_ = {command_.size(), size};
      if (!co_await read_spooled_message(size)) co_return Framing::closed;
      continue;
    }
    if (message) {
      message_bytes_in_text += size;
      command_.reserve(command_.size() + size + 64);  // one allocation
    }
    if (auto st = co_await reader_.read_exact(command_, size, options_->idle_timeout); !st) {
      if (st.error().code == ErrorCode::cancelled) reply("* BYE Autologout; idle for too long");
      co_return Framing::closed;
    }
  }
}

net::awaitable<bool> ImapSession::read_spooled_message(std::size_t size) {
  SpooledMessage& file = *spooled_;
  auto st = co_await reader_.read_exact([&file](std::string_view piece) { file.write(piece); }, size, message_chunk,
                                        options_->idle_timeout);
  if (!st) {
    if (st.error().code == ErrorCode::cancelled) reply("* BYE Autologout; idle for too long");
    co_return false;
  }
  co_return true;
}

net::awaitable<bool> ImapSession::execute(const ImapCommand& cmd) {
  const std::string& tag = cmd.tag;
  switch (cmd.name) {
    case CommandName::capability:
      reply("* CAPABILITY " + capabilities());
      tagged(tag, "OK CAPABILITY completed");
      co_return true;
    case CommandName::noop:
    case CommandName::check:
      if (cmd.name == CommandName::check && state_ != State::selected) break;
      if (state_ == State::selected && !co_await sync()) co_return false;
      tagged(tag, cmd.name == CommandName::noop ? "OK NOOP completed" : "OK CHECK completed");
      co_return true;
    case CommandName::logout:
      reply("* BYE Logging out");
      tagged(tag, "OK LOGOUT completed");
      co_return false;
    case CommandName::id:
      reply("* ID (\"name\" \"dirmail\" \"vendor\" \"dirmail\")");
      tagged(tag, "OK ID completed");
      co_return true;
    case CommandName::starttls:
      co_return co_await starttls(tag);
    case CommandName::login:
    case CommandName::authenticate:
      if (state_ != State::not_authenticated) {
        tagged(tag, "BAD Already logged in");
        co_return true;
      }
      if (cmd.name == CommandName::authenticate) co_return co_await authenticate(cmd);
      if (!password_auth_offered()) {
        tagged(tag, "NO [PRIVACYREQUIRED] Plaintext authentication is disallowed on non-secure connections");
        ++errors_;
        co_return true;
      }
      co_await login(tag, cmd.args[0], cmd.args[1]);
      co_return true;
    default:
      break;
  }
  if (state_ == State::not_authenticated) {
    tagged(tag, "BAD Log in first");
    ++errors_;
    co_return true;
  }
  switch (cmd.name) {
    case CommandName::select:
    case CommandName::examine:
      co_await select(cmd, cmd.name == CommandName::examine);
      co_return true;
    case CommandName::list:
    case CommandName::lsub:
      co_await list(cmd);
      co_return true;
    case CommandName::status:
      co_await status(cmd);
      co_return true;
    case CommandName::namespace_:
      reply("* NAMESPACE ((\"\" \"/\")) NIL NIL");
      tagged(tag, "OK NAMESPACE completed");
      co_return true;
    case CommandName::create:
      co_await create(cmd);
      co_return true;
    case CommandName::delete_mailbox:
      co_await delete_mailbox(cmd);
      co_return true;
    case CommandName::rename:
      co_await rename(cmd);
      co_return true;
    case CommandName::subscribe:
    case CommandName::unsubscribe:
      co_await subscribe(cmd, cmd.name == CommandName::subscribe);
      co_return true;
    case CommandName::append:
      co_return co_await append(cmd);
    case CommandName::enable:
      enable(cmd);
      co_return true;
    case CommandName::getquota:
    case CommandName::getquotaroot:
    case CommandName::setquota:
      co_await quota(cmd);
      co_return true;
    default:
      break;
  }
  if (state_ != State::selected) {
    tagged(tag, "BAD No mailbox selected");
    ++errors_;
    co_return true;
  }
  switch (cmd.name) {
    case CommandName::fetch:
      co_return co_await fetch(cmd);
    case CommandName::store:
      co_await store(cmd);
      co_return true;
    case CommandName::search:
      co_await search(cmd);
      co_return true;
    case CommandName::sort:
      co_await sort(cmd);
      co_return true;
    case CommandName::thread:
      co_await thread(cmd);
      co_return true;
    case CommandName::expunge:
      co_await expunge(cmd, false);
      co_return true;
    case CommandName::close: {
      if (!read_only_) co_await expunge(cmd, true);
      // RFC 7162 §3.2.10: with QRESYNC the client learns where its expunge left the mailbox.
      const std::uint64_t modseq = qresync_on() ? highest_modseq_ : 0;
      deselect();
      tagged(tag, modseq > 0 ? fmt::format("OK [HIGHESTMODSEQ {}] CLOSE completed", modseq) : "OK CLOSE completed");
      co_return true;
    }
    case CommandName::unselect:
      deselect();
      tagged(tag, "OK UNSELECT completed");
      co_return true;
    case CommandName::idle:
      co_return co_await idle(cmd);
    case CommandName::copy:
    case CommandName::move:
      co_return co_await copy(cmd, cmd.name == CommandName::move);
    default:
      tagged(tag, "BAD Command not valid in this state");
      co_return true;
  }
}

net::awaitable<void> run_imap_session(std::shared_ptr<ImapService> service, net::Connection connection) {
  ImapSession session(std::move(service), std::move(connection));
  co_await session.run();
}

}  // namespace dirmail::imap
