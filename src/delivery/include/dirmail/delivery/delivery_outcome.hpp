#pragma once
// What became of a delivery attempt, in the classes the queue runner's retry
// schedule needs (the original's EPSTDS): a refusal (4xx) is retried a number of
// times, a line fault (connected, then a timeout or a dropped connection) for 8 h,
// an unreachable host for 24 h; a 5xx is final.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/error.hpp"
#include "dirmail/delivery/smtp_reply.hpp"

namespace dirmail::delivery {

enum class DeliveryOutcome {
  delivered,         // the peer took responsibility (250 to the final dot)
  temporary,         // a 4xx reply, or a local condition that a later try may not meet
  permanent,         // a 5xx reply, or a message this peer can never take
  host_unreachable,  // no connection: refused, timed out, no route
  line_fault,        // connected, then a timeout, a drop or a garbled reply
};
std::string_view to_string(DeliveryOutcome outcome);

// Where in the session an outcome was decided (for logs and DSN texts).
enum class SmtpStage { connect, tls, greeting, ehlo, starttls, auth, rset, mail, rcpt, data, message, data_end };
std::string_view to_string(SmtpStage stage);

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::line_fault;
  SmtpStage stage = SmtpStage::connect;
  std::optional<SmtpReply> reply;  // the peer's reply that decided it, when there was one
  std::string reason;              // a description for logs when there is no reply (or more to say)

  // "550 5.1.1 User unknown (at rcpt)" or "line_fault: timeout waiting for ... (at data_end)".
  std::string describe() const;
};

// 2xx delivered, 4xx temporary, 5xx permanent; a code of another class (a 3xx where a
// 2xx belongs) is a temporary failure.
DeliveryOutcome classify_reply(int code);

// A failure without a reply: before the connection stands (`stage` connect) the host is
// unreachable; afterwards a timeout (cancelled), a drop (io_error, not_found), a garbled
// or oversized reply (protocol_error, limit_exceeded) is a line fault, and so is a
// certificate that does not verify (permission_denied): the host is there, but the
// session cannot be made secure, which an administrator fixes in hours, not minutes.
// Local failures (temporary_failure reading the queue file, invalid_argument,
// internal) are temporary.
DeliveryOutcome classify_failure(SmtpStage stage, ErrorCode code);

}  // namespace dirmail::delivery
