#include "dirmail/delivery/retry_policy.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace dirmail::delivery {
namespace {

// The peer's enhanced status when it has the expected class, else `fallback`.
std::string status_of(const DeliveryResult& attempt, int klass, std::string_view fallback) {
  if (attempt.reply && !attempt.reply->enhanced.empty() && attempt.reply->enhanced.front() == char('0' + klass))
    return attempt.reply->enhanced;
  return std::string(fallback);
}

std::string hours(std::chrono::seconds s) {
  if (s.count() % 3600 == 0) return fmt::format("{} h", s.count() / 3600);
  return fmt::format("{} s", s.count());
}

std::chrono::seconds wait_after(const RetryPolicy& policy, std::uint32_t attempts) {
  if (policy.backoff == RetryBackoff::fixed || attempts <= 1) return policy.interval;
  const auto cap = std::max(policy.interval, policy.max_interval);
  auto wait = policy.interval;
  for (std::uint32_t i = 1; i < attempts && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap);
}

}  // namespace

Result<RetryBackoff> parse_retry_backoff(std::string_view text) {
  if (text == "fixed") return RetryBackoff::fixed;
  if (text == "exponential") return RetryBackoff::exponential;
  return make_error(ErrorCode::invalid_argument, "\"" + std::string(text) + "\" is not one of fixed, exponential");
}

RetryDecision decide_retry(const RetryPolicy& policy, const queue::RetryState& before, const DeliveryResult& attempt,
                           std::int64_t now) {
  RetryDecision d;
  d.state = before;
  if (attempt.outcome == DeliveryOutcome::delivered) return d;

  auto& s = d.state;
  if (s.attempts == 0 || s.first_attempt_at == 0) s.first_attempt_at = now;
  ++s.attempts;
  s.last_error = attempt.describe();

  auto give_up = [&](std::string status, std::string reason) {
    d.give_up = true;
    d.status = std::move(status);
    d.reason = std::move(reason);
    s.next_attempt_at = 0;
    return d;
  };

  std::int64_t deadline = 0;  // end of the running period; 0: none
  std::uint32_t refusals_left = 0;
  switch (attempt.outcome) {
    case DeliveryOutcome::delivered:
      break;
    case DeliveryOutcome::permanent:
      return give_up(status_of(attempt, 5, "5.0.0"), "The destination refused the message: " + s.last_error);
    case DeliveryOutcome::temporary:
      ++s.refusals;
      if (s.refusals > policy.refusal_retries) {
        return give_up(status_of(attempt, 4, "4.4.7"),
                       fmt::format("The destination refused the message {} times; the last answer: {}", s.refusals,
                                   s.last_error));
      }
      d.status = status_of(attempt, 4, "4.0.0");
      refusals_left = policy.refusal_retries + 1 - s.refusals;
      break;
    case DeliveryOutcome::line_fault:
      if (s.line_fault_since == 0) s.line_fault_since = now;
      deadline = s.line_fault_since + policy.line_fault_period.count();
      if (now >= deadline) {
        return give_up("4.4.2", fmt::format("The connection to the destination failed for {}; the last failure: {}",
                                            hours(policy.line_fault_period), s.last_error));
      }
      d.status = "4.4.2";
      break;
    case DeliveryOutcome::host_unreachable:
      if (s.unreachable_since == 0) s.unreachable_since = now;
      deadline = s.unreachable_since + policy.unreachable_period.count();
      if (now >= deadline) {
        return give_up("4.4.1", fmt::format("The destination could not be reached for {}; the last failure: {}",
                                            hours(policy.unreachable_period), s.last_error));
      }
      d.status = "4.4.1";
      break;
  }
  s.next_attempt_at = now + wait_after(policy, s.attempts).count();
  if (deadline != 0) s.next_attempt_at = std::min(s.next_attempt_at, deadline);
  d.gives_up_at = deadline;
  if (refusals_left > 0) {  // the attempt that would be the last refusal
    d.gives_up_at = s.next_attempt_at;
    for (std::uint32_t k = 1; k < refusals_left; ++k) d.gives_up_at += wait_after(policy, s.attempts + k).count();
  }
  return d;
}

}  // namespace dirmail::delivery
