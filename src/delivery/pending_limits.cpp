#include "dirmail/delivery/pending_limits.hpp"

#include <algorithm>

#include "dirmail/queue/delivery_report.hpp"

namespace dirmail::delivery {

std::int64_t pending_since(const queue::Envelope& envelope, const std::optional<queue::RetryState>& retry) {
  if (envelope.received_at > 0) return envelope.received_at;
  return retry ? retry->first_attempt_at : 0;
}

bool delay_notice_due(const PendingLimits& limits, const queue::Envelope& envelope, std::size_t index,
                      const std::optional<queue::RetryState>& retry, std::int64_t now) {
  if (limits.delay_notice_after.count() <= 0) return false;
  if (retry && retry->delay_notified_at > 0) return false;
  if (envelope.sender.empty()) return false;
  const auto& recipients = envelope.recipients;
  if (index >= recipients.size() - std::min(envelope.journal_copies, recipients.size())) return false;
  const std::int64_t since = pending_since(envelope, retry);
  if (since <= 0 || now - since < limits.delay_notice_after.count()) return false;
  const queue::RecipientDsn dsn =
      index < envelope.recipient_dsn.size() ? envelope.recipient_dsn[index] : queue::RecipientDsn{};
  return queue::notify_requests(dsn, queue::ReportAction::delayed, queue::ReportOptions{}.delays_by_default);
}

bool queue_lifetime_expired(const PendingLimits& limits, std::int64_t since, std::int64_t now) {
  return since > 0 && now - since >= limits.max_queue_lifetime.count();
}

std::string expired_status(std::string_view deferral) {
  if (deferral == "4.2.2" || deferral == "4.2.3") return "5" + std::string(deferral.substr(1));
  return "5.4.7";
}

}  // namespace dirmail::delivery
