// SmtpClient::send: one mail transaction (MAIL, RCPT..., DATA, the message, ".").
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "dirmail/delivery/data_encoder.hpp"
#include "dirmail/delivery/smtp_client.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/stream.hpp"

namespace dirmail::delivery {

using net::awaitable;

namespace {

constexpr std::size_t data_chunk = 64 * 1024;

// Envelope values come from the queue; one with a line break or other control
// character would let a message inject commands.
bool safe_in_command(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string mail_command(const OutboundMessage& m, const PeerCapabilities& caps, bool send_8bit) {
  std::string line = "MAIL FROM:<" + m.sender + ">";
  if (!caps.esmtp) return line;
  if (caps.size) line += fmt::format(" SIZE={}", m.length);
  if (send_8bit) line += " BODY=8BITMIME";
  if (m.smtputf8) line += " SMTPUTF8";
  if (caps.dsn) {
    if (!m.dsn_ret.empty()) line += " RET=" + m.dsn_ret;
    if (!m.dsn_envid.empty()) line += " ENVID=" + m.dsn_envid;
  }
  return line;
}

std::string rcpt_command(const OutboundRecipient& r, const PeerCapabilities& caps) {
  std::string line = "RCPT TO:<" + r.address + ">";
  if (caps.dsn) {
    if (!r.notify.empty()) line += " NOTIFY=" + r.notify;
    if (!r.orcpt.empty()) line += " ORCPT=" + r.orcpt;
  }
  return line;
}

}  // namespace

awaitable<MessageResult> SmtpClient::send(const OutboundMessage& message) {
  MessageResult result;
  const std::size_t count = message.recipients.size();
  result.recipients.resize(count);
  // Recipients without a final result yet; they all share whatever ends the transaction.
  std::vector<bool> open(count, true);
  auto settle_open = [&](const DeliveryResult& r) {
    for (std::size_t i = 0; i < count; ++i)
      if (open[i]) {
        result.recipients[i] = r;
        open[i] = false;
      }
  };
  auto any_open = [&] { return std::any_of(open.begin(), open.end(), [](bool b) { return b; }); };
  if (count == 0) co_return result;
  if (state_ != State::ready) {
    settle_open(DeliveryResult{DeliveryOutcome::line_fault, SmtpStage::mail, std::nullopt, "the session is not open"});
    co_return result;
  }

  // What this peer can never take is settled before a command is sent.
  const auto& caps = info_.capabilities;
  auto permanent = [&](std::string reason) {
    settle_open(DeliveryResult{DeliveryOutcome::permanent, SmtpStage::mail, std::nullopt, std::move(reason)});
  };
  if (!safe_in_command(message.sender) || !safe_in_command(message.dsn_ret) || !safe_in_command(message.dsn_envid)) {
    permanent("control character in the envelope sender or its parameters");
    co_return result;
  }
  if (message.smtputf8 && !caps.smtputf8) {
    permanent("the message needs SMTPUTF8 (RFC 6531) and the peer does not offer it");
    co_return result;
  }
  const bool send_8bit = message.eight_bit && caps.eight_bit_mime;
  if (message.eight_bit && !caps.eight_bit_mime) {
    // Declared 8-bit but pure 7-bit data goes as it is; real 8-bit data would need
    // a conversion to 7 bit (RFC 6152 §3), which is not done.
    auto has_8bit = contains_8bit(message.fd, message.offset, message.length);
    if (!has_8bit) {
      settle_open(DeliveryResult{DeliveryOutcome::temporary, SmtpStage::message, std::nullopt, has_8bit.error().message});
      co_return result;
    }
    if (*has_8bit) {
      permanent("the message has 8-bit data and the peer does not offer 8BITMIME (RFC 6152); no conversion to 7 bit");
      co_return result;
    }
  }
  if (caps.size && caps.size_limit > 0 && message.length > caps.size_limit) {
    permanent(fmt::format("message of {} octets is over the peer's SIZE limit of {}", message.length, caps.size_limit));
    co_return result;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const auto& r = message.recipients[i];
    if (!safe_in_command(r.address) || !safe_in_command(r.notify) || !safe_in_command(r.orcpt)) {
      result.recipients[i] = DeliveryResult{DeliveryOutcome::permanent, SmtpStage::rcpt, std::nullopt,
                                            "control character in the recipient or its parameters"};
      open[i] = false;
    }
  }
  if (!any_open()) co_return result;

  if (transaction_started_) {
    auto reply = co_await command("RSET", options_.timeouts.command);
    if (!reply) {
      settle_open(fault(SmtpStage::rset, reply.error()));
      co_return result;
    }
    if (reply->klass() != 2) {
      auto refused = refusal(SmtpStage::rset, std::move(*reply));
      refused.outcome = DeliveryOutcome::temporary;  // out of step: nothing here is the message's fault
      state_ = State::broken;
      settle_open(refused);
      co_return result;
    }
  }
  transaction_started_ = true;

  // MAIL and the RCPTs: written in batches with PIPELINING, else one at a time. Every
  // reply to what was written is read, even after MAIL failed, to stay in step.
  std::vector<std::size_t> order;  // recipient index of each RCPT
  for (std::size_t i = 0; i < count; ++i)
    if (open[i]) order.push_back(i);
  const std::size_t commands = order.size() + 1;
  const std::size_t batch = caps.pipelining ? std::max<std::size_t>(1, options_.pipeline_batch) : 1;
  std::optional<DeliveryResult> ended;  // a refused MAIL or a 421: applies to every open recipient
  std::size_t accepted = 0;
  for (std::size_t first = 0; first < commands && !ended; first += batch) {
    const std::size_t last = std::min(commands, first + batch);
    for (std::size_t n = first; n < last; ++n) {
      std::string line =
          n == 0 ? mail_command(message, caps, send_8bit) : rcpt_command(message.recipients[order[n - 1]], caps);
      out_->append(line + "\r\n");
    }
    auto sent = co_await flush(first == 0 ? options_.timeouts.mail : options_.timeouts.rcpt);
    if (!sent) {
      settle_open(fault(first == 0 ? SmtpStage::mail : SmtpStage::rcpt, sent.error()));
      co_return result;
    }
    for (std::size_t n = first; n < last; ++n) {
      const SmtpStage stage = n == 0 ? SmtpStage::mail : SmtpStage::rcpt;
      auto reply = co_await read_reply(n == 0 ? options_.timeouts.mail : options_.timeouts.rcpt);
      if (!reply) {
        settle_open(fault(stage, reply.error()));
        co_return result;
      }
      if (ended) continue;  // the 503s that follow a refused MAIL
      if (reply->klass() == 2) {
        if (n > 0) ++accepted;
        continue;
      }
      auto refused = refusal(stage, std::move(*reply));
      if (n == 0 || state_ != State::ready) {
        ended = std::move(refused);
        continue;
      }
      result.recipients[order[n - 1]] = std::move(refused);
      open[order[n - 1]] = false;
    }
  }
  if (!ended && accepted > 0) ended = co_await send_data(message);
  if (ended) settle_open(*ended);
  co_return result;
}

awaitable<DeliveryResult> SmtpClient::send_data(const OutboundMessage& message) {
  auto reply = co_await command("DATA", options_.timeouts.data_init);
  if (!reply) co_return fault(SmtpStage::data, reply.error());
  if (reply->code != 354) co_return refusal(SmtpStage::data, std::move(*reply));

  DataEncoder encoder;
  std::string raw(data_chunk, '\0');
  std::string encoded;
  std::uint64_t offset = message.offset;
  std::uint64_t left = message.length;
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(raw.size(), left));
    ssize_t n = ::pread(message.fd, raw.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Mid-DATA there is no way to take the message back but to drop the connection
      // (the peer must then discard it, RFC 5321 §4.1.1.4).
      std::string why = n < 0 ? std::strerror(errno) : std::string("file shorter than its record");
      DeliveryResult failed = fault(SmtpStage::message, make_error(ErrorCode::temporary_failure,
                                                                   "reading the queued message: " + why));
      co_return failed;
    }
    offset += static_cast<std::uint64_t>(n);
    left -= static_cast<std::uint64_t>(n);
    encoded.clear();
    encoder.feed(std::string_view(raw.data(), static_cast<std::size_t>(n)), encoded);
    if (left == 0) encoder.finish(encoded);
    out_->append(encoded);
    auto sent = co_await flush(options_.timeouts.data_block);
    if (!sent) co_return fault(SmtpStage::message, sent.error());
  }
  if (message.length == 0) {
    encoded.clear();
    encoder.finish(encoded);
    out_->append(encoded);
    auto sent = co_await flush(options_.timeouts.data_block);
    if (!sent) co_return fault(SmtpStage::message, sent.error());
  }
  reply = co_await read_reply(options_.timeouts.data_end);
  if (!reply) co_return fault(SmtpStage::data_end, reply.error());
  if (reply->klass() == 2) co_return DeliveryResult{DeliveryOutcome::delivered, SmtpStage::data_end, std::move(*reply), {}};
  co_return refusal(SmtpStage::data_end, std::move(*reply));
}

}  // namespace dirmail::delivery
