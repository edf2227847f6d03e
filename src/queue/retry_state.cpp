#include "dirmail/queue/retry_state.hpp"

#include <limits>

#include "dirmail/base/strings.hpp"
#include "dirmail/queue/recipient_state_log.hpp"

namespace dirmail::queue {
namespace {

constexpr std::string_view kLastKey = "last=";
constexpr std::size_t kMaxFieldsBytes = 2000;
constexpr std::size_t kMaxTimeDigits = 12;  // unix seconds until year 33658

std::optional<std::int64_t> parse_time(std::string_view text) {
  auto v = parse_decimal(text, kMaxTimeDigits);
  if (!v) return std::nullopt;
  return static_cast<std::int64_t>(*v);
}

std::optional<std::uint32_t> parse_count(std::string_view text) {
  auto v = parse_decimal(text, 10);
  if (!v || *v > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

// Negative times are never written (the parser could not read them back).
std::string time_text(std::int64_t t) { return std::to_string(t < 0 ? 0 : t); }

}  // namespace

std::string format_retry_state_line(std::size_t index, const RetryState& s) {
  std::string line = std::to_string(index) + " retry first=" + time_text(s.first_attempt_at) +
                     " next=" + time_text(s.next_attempt_at) + " attempts=" + std::to_string(s.attempts) +
                     " refusals=" + std::to_string(s.refusals);
  if (s.line_fault_since > 0) line += " line_fault_since=" + time_text(s.line_fault_since);
  if (s.unreachable_since > 0) line += " unreachable_since=" + time_text(s.unreachable_since);
  if (s.delay_notified_at > 0) line += " delay_notified=" + time_text(s.delay_notified_at);
  line += ' ';
  line += kLastKey;
  for (char c : std::string_view(s.last_error).substr(0, kMaxStateReasonBytes)) {
    auto u = static_cast<unsigned char>(c);
    line += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  line += '\n';
  return line;
}

std::optional<RetryState> parse_retry_state_fields(std::string_view fields) {
  if (fields.size() > kMaxFieldsBytes) return std::nullopt;
  RetryState s;
  bool have_first = false, have_next = false;
  while (!fields.empty()) {
    if (fields.starts_with(kLastKey)) {
      fields.remove_prefix(kLastKey.size());
      if (fields.size() > kMaxStateReasonBytes) return std::nullopt;
      s.last_error = std::string(fields);
      break;
    }
    auto space = fields.find(' ');
    std::string_view token = fields.substr(0, space);
    fields.remove_prefix(space == std::string_view::npos ? fields.size() : space + 1);
    auto eq = token.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    std::string_view key = token.substr(0, eq);
    std::string_view value = token.substr(eq + 1);
    auto set_time = [&](std::int64_t& field) {
      auto t = parse_time(value);
      if (t) field = *t;
      return t.has_value();
    };
    auto set_count = [&](std::uint32_t& field) {
      auto n = parse_count(value);
      if (n) field = *n;
      return n.has_value();
    };
    bool ok = true;
    if (key == "first") {
      ok = set_time(s.first_attempt_at);
      have_first = true;
    } else if (key == "next") {
      ok = set_time(s.next_attempt_at);
      have_next = true;
    } else if (key == "attempts") {
      ok = set_count(s.attempts);
    } else if (key == "refusals") {
      ok = set_count(s.refusals);
    } else if (key == "line_fault_since") {
      ok = set_time(s.line_fault_since);
    } else if (key == "unreachable_since") {
      ok = set_time(s.unreachable_since);
    } else if (key == "delay_notified") {
      ok = set_time(s.delay_notified_at);
    }
    // Other keys: written by a newer version; skipped.
    if (!ok) return std::nullopt;
  }
  if (!have_first || !have_next) return std::nullopt;
  return s;
}

}  // namespace dirmail::queue
