// The message itself: DATA (RFC 5321 §4.1.1.4) and BDAT (CHUNKING, RFC 3030), both
// into the durable queue through MessageIntake; 250 only after the commit.
#include <fmt/format.h>

#include "dirmail/base/metrics.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "header_addresses.hpp"
#include "smtp_session.hpp"

namespace dirmail::smtp {
namespace {

// RFC 3030: the size of one chunk is bounded by the message size; without a limit,
// by this, so that a typo cannot make us read forever.
constexpr std::uint64_t max_unlimited_chunk = 1ull << 32;

// Counted once the message is committed, right before its 250.
void count_accepted(const std::string& service, std::uint64_t size) {
  static metrics::Family& messages = metrics::counter(
      "dirmail_messages_accepted_total", "Messages committed to the queue (answered 250), by service.", {"service"});
  static metrics::Family& bytes = metrics::counter(
      "dirmail_message_bytes_accepted_total", "Size of the messages committed to the queue, by service.", {"service"});
  messages.with({service}).add();
  bytes.with({service}).add(static_cast<std::int64_t>(size));
}

}  // namespace

std::string SmtpSession::received_header(const std::string& queue_id) const {
  ReceivedValues v;
  v.protocol = "SMTP";  // RFC 3848: ESMTP, ESMTPS (TLS), ESMTPA (AUTH), ESMTPSA
  if (esmtp_) {
    v.protocol = mail_params_.smtputf8 ? "UTF8SMTP" : "ESMTP";  // RFC 6531 §3.7.3
    if (conn_.stream.tls()) v.protocol += "S";
    if (!auth_user_.empty()) v.protocol += "A";
  }
  v.helo = helo_;
  v.client_ip = conn_.peer_address;
  v.host = options_->hostname;
  if (conn_.stream.tls()) v.tls = conn_.stream.tls_description();
  v.id = queue_id;
  if (recipients_.size() == 1) v.recipient = recipients_.front();
  v.date = rfc5322_date(unix_now());
  if (options_->received) return options_->received->render(v);
  static const auto built_in = ReceivedTemplate::parse(default_received_template);
  return built_in->render(v);
}

IntakeLimits SmtpSession::intake_limits() const {
  return {options_->max_message_size, options_->max_header_size, options_->max_header_fields,
          options_->add_missing_headers, options_->hostname, options_->max_hops};
}

// journal.addresses ride on the message as extra recipients that never bounce, so the
// archive copy is exactly as durable as the message.
void SmtpSession::add_journal_copies(queue::Envelope& env) const {
  const auto& journal = options_->journal;
  if (!journal || !journal->applies(env.sender, env.recipients)) return;
  if (env.recipient_dsn.empty()) env.recipient_dsn.resize(env.recipients.size());
  for (const auto& a : journal->addresses()) {
    env.recipients.push_back(a);
    env.recipient_dsn.push_back({"NEVER", ""});
    ++env.journal_copies;
  }
}

std::unique_ptr<queue::MessageWriter> SmtpSession::begin_message() {
  queue::Envelope env{sender_, recipients_, conn_.peer_address, helo_, auth_user_, unix_now()};
  env.body = mail_params_.body;
  env.smtputf8 = mail_params_.smtputf8;
  env.dsn_ret = mail_params_.ret;
  env.dsn_envid = mail_params_.envid;
  bool any_dsn = false;
  for (const auto& d : recipient_dsn_) any_dsn = any_dsn || !d.notify.empty() || !d.orcpt.empty();
  if (any_dsn) env.recipient_dsn = recipient_dsn_;
  add_journal_copies(env);
  auto writer = service_->queue->begin(env);
  if (!writer) {
    line(log::Record::session).with("error", writer.error().message).error("cannot create queue file");
    reply(writer.error().code == ErrorCode::temporary_failure ? "452 4.3.1 Error: insufficient system storage"
                                                             : "451 4.3.0 Error: queue file write error");
    return nullptr;
  }
  auto w = std::move(*writer);
  if (auto st = w->write(received_header(w->id())); !st) {
    w->abort();
    line(log::Record::session).with("error", st.error().message).error("cannot write queue file");
    reply("451 4.3.0 Error: queue file write error");
    return nullptr;
  }
  return w;
}

net::awaitable<bool> SmtpSession::on_data() {
  if (bdat_writer_) {
    reply("503 5.5.1 Error: DATA after BDAT");
    ++errors_;
    co_return true;
  }
  if (!have_sender_) {
    reply("503 5.5.1 Error: need MAIL command");
    ++errors_;
    co_return true;
  }
  if (recipients_.empty()) {
    reply("554 5.5.1 Error: no valid recipients");
    co_return true;
  }
  auto writer = begin_message();
  if (!writer) co_return true;
  reply("354 End data with <CR><LF>.<CR><LF>");
  if (!co_await out_.flush(conn_.stream, write_timeout)) co_return false;

  MessageIntake intake(*writer, intake_limits());
  bool line_start = true;
  bool prev_crlf = true;  // the CR LF that ended the DATA command
  for (;;) {
    auto got = co_await reader_.read_line(options_->data_timeout);
    if (!got) {
      writer->abort();
      if (got.error().code == ErrorCode::cancelled)
        reply(fmt::format("421 4.4.2 {} Error: timeout exceeded", options_->hostname));
      line(log::Record::session).with("error", got.error().message).warn("connection lost during DATA");
      co_return false;
    }
    std::string_view text = got->text;
    // Only CR LF "." CR LF ends the data: a dot line with a bare LF (or CR) before or
    // after it is message text, so no second message can be smuggled past us (or,
    // since the intake turns every line end into CR LF, past the next server).
    if (line_start && got->complete && text == "." && got->crlf && prev_crlf) break;
    if (got->complete) prev_crlf = got->crlf;
    if (line_start && !text.empty() && text.front() == '.') text.remove_prefix(1);  // dot-unstuffing
    intake.add_line(text, got->complete);
    line_start = got->complete;
  }
  co_return co_await finish_message(*writer, intake);
}

// "BDAT size [LAST]". The chunk is read in full whatever happens, so the session stays
// in step with the client; errors are answered after it.
net::awaitable<bool> SmtpSession::on_bdat(std::string_view arg) {
  auto words = split(trim(arg), ' ');
  const bool last = words.size() == 2 && iequals(words[1], "LAST");
  auto size = words.empty() ? std::nullopt : parse_decimal(words[0], 20);
  if (!size) {
    // Without a size we cannot tell where the chunk ends: the session is lost.
    reply("501 5.5.4 Syntax: BDAT size [LAST]");
    reply(fmt::format("421 4.5.0 {} Error: cannot find the end of the chunk", options_->hostname));
    co_return false;
  }
  const std::uint64_t limit = options_->max_message_size > 0 ? options_->max_message_size : max_unlimited_chunk;
  std::string refusal;
  if (!esmtp_ || words.size() > 2 || (words.size() == 2 && !last)) refusal = "501 5.5.4 Syntax: BDAT size [LAST]";
  else if (!have_sender_) refusal = "503 5.5.1 Error: need MAIL command";
  else if (recipients_.empty()) refusal = "554 5.5.1 Error: no valid recipients";
  else if (*size > limit) refusal = "552 5.3.4 Error: message file too big";
  if (refusal.empty() && !bdat_writer_) {
    bdat_writer_ = begin_message();
    if (!bdat_writer_) refusal = "-";  // begin_message replied
    else bdat_intake_ = std::make_unique<MessageIntake>(*bdat_writer_, intake_limits());
  }
  for (std::uint64_t left = *size; left > 0;) {
    auto got = co_await reader_.read_bytes(static_cast<std::size_t>(std::min<std::uint64_t>(left, 64 * 1024)),
                                           options_->data_timeout);
    if (!got) {
      if (bdat_writer_) bdat_writer_->abort();
      if (got.error().code == ErrorCode::cancelled)
        reply(fmt::format("421 4.4.2 {} Error: timeout exceeded", options_->hostname));
      line(log::Record::session).with("error", got.error().message).warn("connection lost during BDAT");
      co_return false;
    }
    left -= got->size();
    if (refusal.empty()) bdat_intake_->add_chunk(*got);
  }
  if (!refusal.empty()) {
    if (refusal != "-") reply(refusal);
    ++errors_;
    reset_transaction();
    co_return true;
  }
  if (!last) {
    reply(fmt::format("250 2.0.0 {} octets received", *size));
    co_return true;
  }
  auto writer = std::move(bdat_writer_);
  auto intake = std::move(bdat_intake_);
  co_return co_await finish_message(*writer, *intake);
}

bool SmtpSession::owned_by_auth_user(std::string_view address) const {
  std::string wanted = to_lower(address);
  for (const auto& a : auth_addresses_)
    if (a == wanted) return true;
  return false;
}

net::awaitable<bool> SmtpSession::finish_message(queue::MessageWriter& w, MessageIntake& intake) {
  intake.finish();
  std::string refusal;
  switch (intake.refusal()) {
    case MessageIntake::Refusal::too_big: refusal = "552 5.3.4 Error: message file too big"; break;
    case MessageIntake::Refusal::header_too_big: refusal = "552 5.3.4 Error: message header too big"; break;
    case MessageIntake::Refusal::too_many_hops: refusal = "554 5.4.6 Error: too many hops (a mail loop)"; break;
    case MessageIntake::Refusal::write_failed:
    case MessageIntake::Refusal::none: break;
  }
  if (refusal.empty() && !auth_user_.empty() && options_->sender_trust == SenderTrust::envelope_and_from) {
    auto from = header_addresses(intake.from_value());
    // What could not be read whole cannot be vouched for: refused, not waved through.
    bool owned = !from.empty() && !intake.from_truncated() && from.size() < max_header_addresses;
    for (const auto& a : from) owned = owned && owned_by_auth_user(a);
    if (!owned) {
      line(log::Record::accept).with("user", auth_user_).with("from_header", escape_control(intake.from_value()))
          .warn("From: not owned by the authenticated user (sender trust)");
      refusal = fmt::format("550 5.7.1 From: header does not belong to {}", auth_user_);
    }
  }
  if (!refusal.empty()) {
    w.abort();
    reply(refusal);
    reset_transaction();
    co_return true;
  }
  Status write_status = intake.write_status();
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
  count_accepted(service_->name, w.size());
  auto rec = line(log::Record::receive);
  rec.with("queue_id", id).with("from", sender_).with("size", w.size()).with("nrcpt", recipients_.size());
  if (!intake.message_id().empty()) rec.with("message_id", escape_control(intake.message_id()));
  if (!auth_user_.empty()) rec.with("user", auth_user_);
  for (const auto& r : recipients_) rec.with("to", r);
  rec.info("queued");
  reply(fmt::format("250 2.0.0 Ok: queued as {}", id));
  reset_transaction();
  if (service_->on_queued) service_->on_queued(id);
  co_return true;
}

}  // namespace dirmail::smtp
