#pragma once
// The retry schedule of a recipient after a failed attempt: the original EPSTDS's three
// classes (spec: smtp-server-guide §4.4.2) with its defaults.
//
//   refusal (a 4xx reply; DeliveryOutcome::temporary)  retried `refusal_retries` times
//                    (リトライ回数(受信拒否), 9): the 10th refusal bounces
//   line fault (connected, then a timeout or a drop)   retried for `line_fault_period`
//                    (リトライ期間(回線異常), 8 h) from the first line fault
//   host unreachable (no connection)                   retried for `unreachable_period`
//                    (リトライ期間(マシン無応答), 24 h) from the first such attempt
//   permanent (a 5xx)                                  bounced at once
//
// Each class keeps its own count or clock for the recipient, and an attempt is judged
// by the limit of its own class, so a recipient that fails in several ways still ends
// after a bounded time. Between attempts: `interval` (リトライ間隔, 120 s), or with
// exponential backoff interval x 2^(attempt-1) up to `max_interval`. The next attempt is
// never later than the end of the running period, so the bounce is not late.
//
// Mapping the runner's own failures: an MX lookup that fails for now counts as
// host_unreachable (the domain's hosts cannot be reached); the MX resolver's permanent
// errors (no such domain, null MX) are permanent.
//
// A bounce after retries keeps a 4.x.x status (RFC 3463), as Postfix and sendmail do in
// their "failed" reports: 4.4.1 no answer from host, 4.4.2 bad connection, and for
// refusals the peer's own enhanced status, else 4.4.7 (delivery time expired). A 5xx
// carries the peer's enhanced status, else 5.0.0.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/delivery/delivery_outcome.hpp"
#include "dirmail/queue/retry_state.hpp"

namespace dirmail::delivery {

enum class RetryBackoff { fixed, exponential };

// "fixed" or "exponential" as in delivery.retry_backoff.
Result<RetryBackoff> parse_retry_backoff(std::string_view text);

struct RetryPolicy {
  std::chrono::seconds interval{120};
  RetryBackoff backoff = RetryBackoff::fixed;
  std::chrono::seconds max_interval{3600};  // exponential only
  std::uint32_t refusal_retries = 9;
  std::chrono::seconds line_fault_period{8 * 3600};
  std::chrono::seconds unreachable_period{24 * 3600};
};

struct RetryDecision {
  bool give_up = false;
  queue::RetryState state;  // the history with this attempt; state.next_attempt_at when retried
  // The DSN Status (RFC 3463): given up, the bounce's; retried, a delay notice's (the
  // peer's own 4.x.x for a refusal, else 4.0.0; 4.4.2 line fault; 4.4.1 unreachable).
  std::string status;
  std::string reason;  // give_up only: a sentence for the bounce and the log
  // Retried only: when the schedule gives up if the recipient keeps failing this way
  // (the end of the running period, or the last refusal's attempt), for a delay
  // notice's Will-Retry-Until.
  std::int64_t gives_up_at = 0;
};

// After a failed attempt (`attempt.outcome` is not `delivered`) at `now` (unix seconds):
// retry at decision.state.next_attempt_at, or give up. `before`: the recipient's history
// so far (default-constructed for the first attempt). Pure. A `delivered` attempt
// changes nothing (give_up false, state == before).
RetryDecision decide_retry(const RetryPolicy& policy, const queue::RetryState& before, const DeliveryResult& attempt,
                           std::int64_t now);

}  // namespace dirmail::delivery
