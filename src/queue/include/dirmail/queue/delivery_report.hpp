#pragma once
// Delivery status notifications: the bounce, delay notice and success report that
// the queue sends back to a message's sender (RFC 3464 inside an RFC 6522
// multipart/report; RFC 6533 message/global-* for SMTPUTF8 mail), and the optional
// copy of undeliverable mail to the administrator (the original's "also send error
// mail to the administrator").
//
// Which recipients are reported follows their RFC 3461 NOTIFY; no report ever goes to
// the null sender, to a mailer daemon, or about a message that is itself a report, so
// reports cannot loop. The composer is pure: the queue runner queues what it returns.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/queue/queue.hpp"

namespace dirmail::queue {

// RFC 3464 §2.3.3.
enum class ReportAction { failed, delayed, delivered, relayed, expanded };
std::string_view to_string(ReportAction action);

// What became of one recipient of the original message.
struct RecipientOutcome {
  std::size_t index = 0;          // the recipient's position in the original Envelope::recipients
  ReportAction action = ReportAction::failed;
  std::string status;             // RFC 3463 code ("5.1.1"); a malformed one or one of the wrong
                                  // class becomes the action's generic code (5.0.0, 4.0.0, 2.0.0)
  std::string diagnostic;         // the peer's reply ("550 5.1.1 User unknown") or a local
                                  // reason; "" when there is none
  std::string diagnostic_type = "smtp";  // Diagnostic-Code type: "smtp" for a peer's reply
  std::string remote_mta;         // the peer's host name, "" when none answered
  std::int64_t last_attempt = 0;  // unix seconds; 0 when unknown
  std::int64_t retry_until = 0;   // delays: when the queue gives up; 0 when unknown
};

// The original message as the report returns it.
struct OriginalMessage {
  std::string_view bytes;  // the whole message (header and body), or at least its header block
  std::uint64_t size = 0;  // the whole message's size; more than bytes.size() when only the
                           // header was read
};

struct ReportOptions {
  std::string reporting_mta;  // this server's host name (Reporting-MTA:, From:, Message-ID:)
  std::int64_t now = 0;       // unix seconds (Date:); 0: the clock's time
  // A larger original is returned as its header only, whatever RET asked for.
  std::uint64_t max_returned_size = 1024 * 1024;
  // Recipients listed in one report; the text counts the rest.
  std::size_t max_recipients = 100;
  // Whether a recipient without NOTIFY gets delay notices (RFC 3461 §4.1 leaves this
  // to the MTA; failures it always gets, successes never).
  bool delays_by_default = true;
};

// The administrator's copy of error mail (spec §4.3 item 6, §9).
struct AdminCopyOptions {
  bool enabled = false;
  std::string address;  // a full user@domain; a bare name is refused (the spec: it loops)
};

// A report ready for Queue::begin(): its envelope (null sender, one recipient,
// received_at = now, body/smtputf8 as its content needs; client and helo empty for the
// caller to fill) and its bytes (CRLF line ends).
struct ReportMail {
  Envelope envelope;
  std::string message;
};

// Whether `dsn`'s NOTIFY asks for a report of `action` (RFC 3461 §4.1): NEVER asks for
// none; no NOTIFY means failures (and delays when `delays_by_default`); a list asks for
// what it names (SUCCESS covers delivered, relayed and expanded).
bool notify_requests(const RecipientDsn& dsn, ReportAction action, bool delays_by_default);

// Why no report may be sent about this message at all (for the log), or "" when one
// may: the null sender; a sender that is a mailer daemon, or this host's own
// postmaster (`reporting_mta`); a sender too long to write in To: or holding a
// control character or space; a message that is itself a delivery report
// (Content-Type multipart/report with report-type delivery-status or
// global-delivery-status).
std::string report_refusal(std::string_view sender, std::string_view original_header,
                           std::string_view reporting_mta);

// The report to the original sender about the outcomes its recipients' NOTIFY asks
// for; nullopt when there is none (see report_refusal(), notify_requests(); journal
// copies and outcomes with an index out of range are never reported).
std::optional<ReportMail> compose_delivery_report(const Envelope& original, const OriginalMessage& message,
                                                  std::span<const RecipientOutcome> outcomes,
                                                  const ReportOptions& options);

// The administrator's copy: a report of the failed recipients (whatever their
// NOTIFY), addressed to the administrator. nullopt when the copy is off, the address
// is not user@domain, report_refusal() refuses, no recipient failed, or the sender is
// the administrator itself (it gets the sender's report already: the original's
// duplicate-error guard).
std::optional<ReportMail> compose_admin_copy(const Envelope& original, const OriginalMessage& message,
                                             std::span<const RecipientOutcome> outcomes,
                                             const ReportOptions& options, const AdminCopyOptions& admin);

// Both of the above, in that order: everything to queue for these outcomes.
std::vector<ReportMail> compose_delivery_reports(const Envelope& original, const OriginalMessage& message,
                                                 std::span<const RecipientOutcome> outcomes,
                                                 const ReportOptions& options, const AdminCopyOptions& admin);

// The part of a queued message (bytes [offset, offset+size) of `fd`) a report returns:
// the whole message when RET is not HDRS and it is at most `max_returned_size`, else
// its header block (read up to 256 KiB). Errors: temporary_failure when the file
// cannot be read.
Result<std::string> read_original_for_report(const Envelope& original, int fd, std::uint64_t offset,
                                             std::uint64_t size, std::uint64_t max_returned_size);

// The header block at the start of `message`: up to and including the line end before
// the empty line (all of `message` when there is no empty line).
std::string_view header_block(std::string_view message);

// RFC 3461 §4 xtext decoded ("+2B" -> "+"); nullopt when malformed (a "+" not followed
// by two upper-case hex digits, or an octet outside 33..126, or "=").
std::optional<std::string> decode_xtext(std::string_view xtext);

}  // namespace dirmail::queue
