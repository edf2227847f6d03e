#pragma once
// How long a recipient may stay pending in the queue.
//
// Delay notice (delivery.delay_notice_after, 4 h as sendmail's queuewarn): once a
// recipient has waited that long since the message arrived, its sender gets one RFC
// 3464 report with Action: delayed, if the recipient's NOTIFY asks for delays. No
// NOTIFY counts as NOTIFY=FAILURE,DELAY (RFC 3461 §4.1 leaves the choice between that
// and FAILURE to the MTA; sendmail and Postfix choose delays too). One notice per
// recipient, ever: the time it went is kept in the recipient's retry line
// (RetryState::delay_notified_at), so a restart sends none again.
//
// Queue lifetime (delivery.max_queue_lifetime, 5 days as Postfix's
// maximal_queue_lifetime): a LOCAL recipient still deferred after that long (mailbox
// full, message larger than the mailbox limit, directory or store unreachable) is
// bounced. Remote recipients end by the original's retry classes (retry_policy.hpp),
// which stay authoritative for them: each class is bounded on its own.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/queue/queue.hpp"
#include "dirmail/queue/retry_state.hpp"

namespace dirmail::delivery {

struct PendingLimits {
  std::chrono::seconds delay_notice_after{4 * 3600};       // 0: no delay notices
  std::chrono::seconds max_queue_lifetime{5 * 24 * 3600};  // local recipients only
};

// Since when a recipient has been waiting: the message's arrival, or, when that is not
// known (0), its first failed attempt; 0 when neither is known.
std::int64_t pending_since(const queue::Envelope& envelope, const std::optional<queue::RetryState>& retry);

// Whether recipient `index` of `envelope`, still pending at `now`, is due its delay
// notice: notices are on, it has waited at least delay_notice_after, has had no notice
// yet, its NOTIFY asks for delays, the sender is not the null sender and the recipient
// is not a journal copy. (The report composer refuses the rest: a mailer-daemon
// sender, a message that is itself a report.) Pure.
bool delay_notice_due(const PendingLimits& limits, const queue::Envelope& envelope, std::size_t index,
                      const std::optional<queue::RetryState>& retry, std::int64_t now);

// Whether a local recipient waiting since `since` (pending_since()) has outlived
// max_queue_lifetime at `now`. An unknown start (0) never expires.
bool queue_lifetime_expired(const PendingLimits& limits, std::int64_t since, std::int64_t now);

// The RFC 3463 status of the bounce for a local deferral with status `deferral` that
// outlived the queue lifetime: the mailbox's own trouble made permanent (4.2.2 mailbox
// full -> 5.2.2, 4.2.3 larger than the limit -> 5.2.3), anything else 5.4.7 (delivery
// time expired).
std::string expired_status(std::string_view deferral);

}  // namespace dirmail::delivery
