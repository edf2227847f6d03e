#include "queue_view.hpp"

#include <ctime>
#include <ostream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::ctl {
namespace {

namespace json = boost::json;

std::string_view state_name(queue::RecipientState state) {
  switch (state) {
    case queue::RecipientState::pending: return "pending";
    case queue::RecipientState::delivered: return "delivered";
    case queue::RecipientState::failed: return "failed";
  }
  return "pending";
}

// "2026-05-01T12:00:00Z"
std::string utc_time(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// JSON strings must be UTF-8; queue files may hold other 8-bit text (a header
// without SMTPUTF8): its non-ASCII bytes become U+FFFD.
json::string text(std::string_view s) {
  if (valid_utf8(s)) return json::string(s);
  std::string out;
  for (char c : s) out += static_cast<unsigned char>(c) < 0x80 ? std::string(1, c) : std::string("\xEF\xBF\xBD");
  return json::string(out);
}

// Shown in text output: control characters (a hostile header) as '?'.
std::string printable(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) c = '?';
  return out;
}

std::string sender_text(const std::string& sender) { return "<" + printable(sender) + ">"; }

json::object message_json(const queue::ListedMessage& entry, bool details) {
  const auto& m = entry.message;
  const auto& env = m.envelope;
  json::object o;
  o["id"] = m.id;
  o["arrived"] = utc_time(env.received_at);
  o["received_at"] = env.received_at;
  o["size"] = m.body_size;
  o["sender"] = text(env.sender);
  o["held"] = entry.held;
  json::array recipients;
  for (std::size_t i = 0; i < env.recipients.size(); ++i) {
    json::object r;
    r["address"] = text(env.recipients[i]);
    r["state"] = state_name(m.states[i]);
    r["reason"] = text(m.state_reasons[i]);
    if (details) {
      r["journal_copy"] = i + env.journal_copies >= env.recipients.size();
      if (i < env.recipient_dsn.size()) {
        r["notify"] = text(env.recipient_dsn[i].notify);
        r["orcpt"] = text(env.recipient_dsn[i].orcpt);
      }
    }
    recipients.push_back(std::move(r));
  }
  o["recipients"] = std::move(recipients);
  if (details) {
    o["client_address"] = text(env.client_address);
    o["helo"] = text(env.helo);
    o["auth_user"] = text(env.auth_user);
    o["body"] = text(env.body);
    o["smtputf8"] = env.smtputf8;
    o["dsn_ret"] = text(env.dsn_ret);
    o["dsn_envid"] = text(env.dsn_envid);
  }
  return o;
}

void print_recipients(const queue::QueuedMessage& m, bool details, std::ostream& out) {
  const auto& env = m.envelope;
  for (std::size_t i = 0; i < env.recipients.size(); ++i) {
    out << fmt::format("  {:<9}  {}", state_name(m.states[i]), printable(env.recipients[i]));
    if (details && i < env.recipient_dsn.size()) {
      if (!env.recipient_dsn[i].notify.empty()) out << "  NOTIFY=" << printable(env.recipient_dsn[i].notify);
      if (!env.recipient_dsn[i].orcpt.empty()) out << "  ORCPT=" << printable(env.recipient_dsn[i].orcpt);
    }
    if (details && i + env.journal_copies >= env.recipients.size()) out << "  (journal copy)";
    if (!m.state_reasons[i].empty()) out << "  (" << printable(m.state_reasons[i]) << ")";
    out << "\n";
  }
}

}  // namespace

void print_queue_list(const queue::QueueListing& listing, bool as_json, std::ostream& out) {
  std::size_t held = 0;
  for (const auto& e : listing.messages) held += e.held ? 1 : 0;
  if (as_json) {
    json::array messages;
    for (const auto& e : listing.messages) messages.push_back(message_json(e, false));
    json::array problems;
    for (const auto& p : listing.problems) problems.push_back(text(p));
    json::object o;
    o["messages"] = std::move(messages);
    o["count"] = listing.messages.size();
    o["held"] = held;
    o["unreadable"] = std::move(problems);
    out << json::serialize(o) << "\n";
    return;
  }
  for (const auto& e : listing.messages) {
    const auto& m = e.message;
    out << fmt::format("{}  {}  {} bytes  from {}{}\n", m.id, utc_time(m.envelope.received_at), m.body_size,
                       sender_text(m.envelope.sender), e.held ? "  HELD" : "");
    print_recipients(m, false, out);
  }
  for (const auto& p : listing.problems) out << "unreadable: " << printable(p) << "\n";
  std::size_t n = listing.messages.size();
  out << n << (n == 1 ? " message" : " messages") << " in the queue";
  if (held > 0) out << ", " << held << " held";
  out << "\n";
}

void print_queue_message(const queue::ListedMessage& entry, const std::string& header, bool as_json,
                         std::ostream& out) {
  const auto& m = entry.message;
  const auto& env = m.envelope;
  if (as_json) {
    auto o = message_json(entry, true);
    o["header"] = text(header);
    out << json::serialize(o) << "\n";
    return;
  }
  out << "id:          " << m.id << (entry.held ? "  (HELD: not delivered until released)" : "") << "\n";
  out << "arrived:     " << utc_time(env.received_at) << "\n";
  out << "size:        " << m.body_size << " bytes\n";
  out << "sender:      " << sender_text(env.sender) << "\n";
  out << "client:      " << printable(env.client_address.empty() ? "(local)" : env.client_address);
  if (!env.helo.empty()) out << "  HELO " << printable(env.helo);
  out << "\n";
  if (!env.auth_user.empty()) out << "auth:        " << printable(env.auth_user) << "\n";
  std::string esmtp;
  if (!env.body.empty()) esmtp += " BODY=" + env.body;
  if (env.smtputf8) esmtp += " SMTPUTF8";
  if (!env.dsn_ret.empty()) esmtp += " RET=" + env.dsn_ret;
  if (!env.dsn_envid.empty()) esmtp += " ENVID=" + env.dsn_envid;
  if (!esmtp.empty()) out << "parameters: " << printable(esmtp) << "\n";
  out << "recipients:\n";
  print_recipients(m, true, out);
  out << "header:\n";
  std::string_view rest = header;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out << "  " << printable(line) << "\n";
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
}

}  // namespace dirmail::ctl
