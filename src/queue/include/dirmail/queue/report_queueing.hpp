#pragma once
// Putting a message's delivery reports into the queue: what the daemon does for the
// recipients a delivery attempt failed, and dirmailctl queue bounce for the ones an
// administrator gives up on.
#include <span>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/delivery_report.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::queue {

struct QueuedReport {
  std::string recipient;  // whom the report is for (the sender, or the administrator)
  std::string id;         // its queue id; empty when it could not be queued
  std::string error;      // why it could not be queued
};

// Composes the reports on `outcomes` (compose_delivery_reports()) for `message`, whose
// file is open as `fd`, and commits each to `queue`; the caller hands the new ids to
// delivery. Errors: the original message could not be read (nothing is queued).
Result<std::vector<QueuedReport>> queue_delivery_reports(Queue& queue, const QueuedMessage& message, int fd,
                                                         std::span<const RecipientOutcome> outcomes,
                                                         const ReportOptions& options, const AdminCopyOptions& admin);

}  // namespace dirmail::queue
