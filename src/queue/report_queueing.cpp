#include "dirmail/queue/report_queueing.hpp"

#include "dirmail/queue/queue_copy.hpp"

namespace dirmail::queue {

Result<std::vector<QueuedReport>> queue_delivery_reports(Queue& queue, const QueuedMessage& message, int fd,
                                                         std::span<const RecipientOutcome> outcomes,
                                                         const ReportOptions& options, const AdminCopyOptions& admin) {
  std::vector<QueuedReport> queued;
  if (outcomes.empty()) return queued;
  auto original = read_original_for_report(message.envelope, fd, message.body_offset, message.body_size,
                                           options.max_returned_size);
  if (!original) return std::move(original).error();
  OriginalMessage bytes{*original, message.body_size};
  for (const auto& report : compose_delivery_reports(message.envelope, bytes, outcomes, options, admin)) {
    QueuedReport q;
    q.recipient = report.envelope.recipients.front();
    auto id = queue_bytes(queue, report.envelope, report.message);
    if (id)
      q.id = std::move(*id);
    else
      q.error = id.error().message;
    queued.push_back(std::move(q));
  }
  return queued;
}

}  // namespace dirmail::queue
