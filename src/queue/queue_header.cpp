#include "dirmail/queue/queue_header.hpp"

#include <charconv>

#include "dirmail/queue/queue_id.hpp"

namespace dirmail::queue {
namespace {

constexpr std::size_t kMaxKeyBytes = 32;

Error malformed(std::string_view why) {
  return make_error(ErrorCode::invalid_argument, "malformed queue file header: " + std::string(why));
}

Status check_value(std::string_view key, std::string_view value) {
  if (value.size() > kMaxQueueValueBytes)
    return make_error(ErrorCode::limit_exceeded, "queue header value too long: " + std::string(key));
  for (char c : value)
    if (c == '\r' || c == '\n' || c == '\0')
      return make_error(ErrorCode::invalid_argument, "queue header value contains CR, LF or NUL: " + std::string(key));
  return ok_status();
}

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

}  // namespace

Result<std::string> format_queue_header(std::string_view id, const Envelope& envelope) {
  if (!valid_queue_id(id)) return make_error(ErrorCode::invalid_argument, "invalid queue id");
  if (envelope.recipients.empty()) return make_error(ErrorCode::invalid_argument, "message has no recipients");
  if (envelope.recipients.size() > kMaxQueueRecipients)
    return make_error(ErrorCode::limit_exceeded, "too many recipients");
  if (envelope.received_at < 0) return make_error(ErrorCode::invalid_argument, "negative receive time");

  std::string out;
  out += kQueueFileMagic;
  out += '\n';
  auto line = [&](std::string_view key, std::string_view value) -> Status {
    DIRMAIL_TRY(check_value(key, value));
    out += key;
    out += ' ';
    out += value;
    out += '\n';
    return ok_status();
  };
  DIRMAIL_TRY(line("id", id));
  DIRMAIL_TRY(line("received", std::to_string(envelope.received_at)));
  if (!envelope.client_address.empty()) DIRMAIL_TRY(line("client", envelope.client_address));
  if (!envelope.helo.empty()) DIRMAIL_TRY(line("helo", envelope.helo));
  if (!envelope.auth_user.empty()) DIRMAIL_TRY(line("auth", envelope.auth_user));
  DIRMAIL_TRY(line("from", envelope.sender));
  if (!envelope.body.empty()) DIRMAIL_TRY(line("body", envelope.body));
  if (envelope.smtputf8) DIRMAIL_TRY(line("smtputf8", "yes"));
  if (!envelope.dsn_ret.empty()) DIRMAIL_TRY(line("ret", envelope.dsn_ret));
  if (!envelope.dsn_envid.empty()) DIRMAIL_TRY(line("envid", envelope.dsn_envid));
  if (envelope.journal_copies > envelope.recipients.size())
    return make_error(ErrorCode::invalid_argument, "more journal copies than recipients");
  if (envelope.journal_copies > 0) DIRMAIL_TRY(line("journal", std::to_string(envelope.journal_copies)));
  if (!envelope.recipient_dsn.empty() && envelope.recipient_dsn.size() != envelope.recipients.size())
    return make_error(ErrorCode::invalid_argument, "recipient DSN list does not match the recipients");
  for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
    DIRMAIL_TRY(line("rcpt", envelope.recipients[i]));
    // A recipient's DSN lines follow its rcpt line.
    if (!envelope.recipient_dsn.empty()) {
      const auto& dsn = envelope.recipient_dsn[i];
      if (!dsn.notify.empty()) DIRMAIL_TRY(line("notify", dsn.notify));
      if (!dsn.orcpt.empty()) DIRMAIL_TRY(line("orcpt", dsn.orcpt));
    }
    if (out.size() >= kMaxQueueHeaderBytes) break;
  }
  out += '\n';
  if (out.size() > kMaxQueueHeaderBytes) return make_error(ErrorCode::limit_exceeded, "queue header exceeds 1 MiB");
  return out;
}

Result<ParsedQueueHeader> parse_queue_header(std::string_view file_start) {
  std::string_view data = file_start.substr(0, kMaxQueueHeaderBytes);
  ParsedQueueHeader parsed;
  bool have_id = false, have_received = false, have_from = false;
  bool have_client = false, have_helo = false, have_auth = false;
  std::size_t pos = 0;
  bool first = true;
  for (;;) {
    auto end = data.find('\n', pos);
    if (end == std::string_view::npos) {
      if (file_start.size() > kMaxQueueHeaderBytes)
        return make_error(ErrorCode::limit_exceeded, "queue file header exceeds 1 MiB");
      return malformed("header does not end (no blank line)");
    }
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    if (first) {
      if (line != kQueueFileMagic) return malformed("not a dirmail queue file (bad first line)");
      first = false;
      continue;
    }
    if (line.empty()) break;

    auto space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string_view value = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    if (!valid_key(key)) return malformed("bad key");
    if (value.size() > kMaxQueueValueBytes) return malformed("value longer than 1000 bytes");
    if (value.find('\r') != std::string_view::npos || value.find('\0') != std::string_view::npos)
      return malformed("value contains CR or NUL");

    auto once = [&](bool& seen) -> Status {
      if (seen) return malformed("duplicate key " + std::string(key));
      seen = true;
      return ok_status();
    };
    if (key == "id") {
      DIRMAIL_TRY(once(have_id));
      if (!valid_queue_id(value)) return malformed("bad id");
      parsed.id = std::string(value);
    } else if (key == "received") {
      DIRMAIL_TRY(once(have_received));
      std::int64_t t = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || t < 0)
        return malformed("bad received time");
      parsed.envelope.received_at = t;
    } else if (key == "client") {
      DIRMAIL_TRY(once(have_client));
      parsed.envelope.client_address = std::string(value);
    } else if (key == "helo") {
      DIRMAIL_TRY(once(have_helo));
      parsed.envelope.helo = std::string(value);
    } else if (key == "auth") {
      DIRMAIL_TRY(once(have_auth));
      parsed.envelope.auth_user = std::string(value);
    } else if (key == "from") {
      DIRMAIL_TRY(once(have_from));
      parsed.envelope.sender = std::string(value);
    } else if (key == "body") {
      parsed.envelope.body = std::string(value);
    } else if (key == "smtputf8") {
      parsed.envelope.smtputf8 = value == "yes";
    } else if (key == "ret") {
      parsed.envelope.dsn_ret = std::string(value);
    } else if (key == "envid") {
      parsed.envelope.dsn_envid = std::string(value);
    } else if (key == "journal") {
      std::size_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) return malformed("bad journal count");
      parsed.envelope.journal_copies = n;
    } else if (key == "rcpt") {
      if (parsed.envelope.recipients.size() == kMaxQueueRecipients) return malformed("too many recipients");
      parsed.envelope.recipients.emplace_back(value);
      parsed.envelope.recipient_dsn.emplace_back();
    } else if (key == "notify" || key == "orcpt") {
      if (parsed.envelope.recipient_dsn.empty()) return malformed(std::string(key) + " before any rcpt");
      auto& dsn = parsed.envelope.recipient_dsn.back();
      (key == "notify" ? dsn.notify : dsn.orcpt) = std::string(value);
    }
    // Other keys: written by a newer version; skipped.
  }
  if (!have_id) return malformed("missing id");
  if (!have_received) return malformed("missing received");
  if (!have_from) return malformed("missing from");
  if (parsed.envelope.recipients.empty()) return malformed("no recipients");
  if (parsed.envelope.journal_copies > parsed.envelope.recipients.size()) return malformed("journal count above recipients");
  // No recipient asked for anything: no list, as before DSN existed.
  bool any_dsn = false;
  for (const auto& d : parsed.envelope.recipient_dsn) any_dsn = any_dsn || !d.notify.empty() || !d.orcpt.empty();
  if (!any_dsn) parsed.envelope.recipient_dsn.clear();
  parsed.body_offset = pos;
  return parsed;
}

}  // namespace dirmail::queue
