// The report message: RFC 6522 multipart/report holding the text, the RFC 3464
// delivery-status fields and the original (or its header).
#include "dirmail/queue/delivery_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/base64.hpp"
#include "dirmail/base/message_id.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "report_fields.hpp"
#include "report_text.hpp"

namespace dirmail::queue {
namespace {

using report::header_line;
using report::ReportedRecipient;

struct Selection {
  std::vector<ReportedRecipient> listed;
  std::size_t omitted = 0;
};

// The outcomes to report, in the order given: those `wanted` accepts for real
// recipients (not journal copies), at most `max` listed.
template <typename Wanted>
Selection select(const Envelope& original, std::span<const RecipientOutcome> outcomes, std::size_t max,
                 Wanted wanted) {
  Selection s;
  const std::size_t reportable =
      original.recipients.size() - std::min(original.journal_copies, original.recipients.size());
  for (const auto& o : outcomes) {
    if (o.index >= reportable || !wanted(o)) continue;
    if (s.listed.size() < std::max<std::size_t>(max, 1)) s.listed.push_back(report::reported_recipient(original, o));
    else ++s.omitted;
  }
  return s;
}

std::string base64_lines(std::string_view data) {
  std::string b64 = base64_encode(data), out;
  for (std::size_t i = 0; i < b64.size(); i += 76) out.append(b64, i, 76).append("\r\n");
  return out;
}

// 96 random bits as hex (new_message_id's random part).
std::string random_token() {
  std::string id = new_message_id("x");
  auto dot = id.find('.');
  return id.substr(dot + 1, id.find('@') - dot - 1);
}

std::string delivery_status_fields(const Envelope& original, std::span<const ReportedRecipient> recipients,
                                   std::string_view reporting_mta) {
  std::string out = header_line("Reporting-MTA", "dns; " + std::string(reporting_mta));
  if (!original.dsn_envid.empty()) {
    if (auto envid = decode_xtext(original.dsn_envid)) {
      auto value = report::one_line(*envid, true);
      if (!value.empty()) out += header_line("Original-Envelope-Id", value);
    }
  }
  if (original.received_at > 0) out += header_line("Arrival-Date", rfc5322_date(original.received_at));
  for (const auto& r : recipients) {
    out += "\r\n";
    if (!r.original_recipient.empty()) out += header_line("Original-Recipient", r.original_recipient);
    out += header_line("Final-Recipient", r.final_recipient);
    out += header_line("Action", to_string(r.action));
    out += header_line("Status", r.status);
    if (!r.remote_mta.empty()) out += header_line("Remote-MTA", "dns; " + r.remote_mta);
    if (!r.diagnostic.empty()) out += header_line("Diagnostic-Code", r.diagnostic_type + "; " + r.diagnostic);
    if (r.last_attempt > 0) out += header_line("Last-Attempt-Date", rfc5322_date(r.last_attempt));
    if (r.action == ReportAction::delayed && r.retry_until > 0)
      out += header_line("Will-Retry-Until", rfc5322_date(r.retry_until));
  }
  return out;
}

// RFC 6533: message/global-* when the original or a reported address is not ASCII.
bool needs_global(const Envelope& original, std::string_view header, const std::string& dsn_fields) {
  return original.smtputf8 || !is_ascii(header) || !is_ascii(dsn_fields);
}

std::string subject_for(std::span<const ReportedRecipient> recipients) {
  auto has = [&](ReportAction a) {
    return std::any_of(recipients.begin(), recipients.end(), [&](const auto& r) { return r.action == a; });
  };
  if (has(ReportAction::failed)) return "Undelivered Mail Returned to Sender";
  if (has(ReportAction::delayed)) return "Delayed Mail (still being retried)";
  return "Successful Mail Delivery Report";
}

std::string part(std::string_view headers, std::string_view content) {
  std::string out(headers);
  if (!is_ascii(content)) out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  out += content;
  if (!content.empty() && !content.ends_with("\r\n")) out += "\r\n";
  return out;
}

ReportMail compose(const Envelope& original, const OriginalMessage& message, const Selection& selection,
                   const ReportOptions& options, std::string_view to, std::string_view subject) {
  const std::string_view header = header_block(message.bytes);
  const bool has_failure = std::any_of(selection.listed.begin(), selection.listed.end(),
                                       [](const auto& r) { return r.action == ReportAction::failed; });
  // RET applies to failure reports only (RFC 3461 §4.3); the others return the header.
  const bool whole = has_failure && !iequals(original.dsn_ret, "HDRS") && message.size <= options.max_returned_size &&
                     message.bytes.size() == message.size;
  // The host name comes from the configuration; it still must not break a line.
  const std::string host = replace_all(report::one_line(options.reporting_mta, false, 255), " ", "");
  const std::int64_t now = options.now > 0 ? options.now : unix_now();
  const std::string dsn = delivery_status_fields(original, selection.listed, host);
  const bool global = needs_global(original, header, dsn);
  const std::string_view returned = whole ? message.bytes : header;

  std::string boundary;
  do {
    boundary = "=_dirmail_report_" + random_token();
  } while (returned.find("--" + boundary) != std::string_view::npos);

  std::string out;
  out += "From: Mail Delivery System <MAILER-DAEMON@" + host + ">\r\n";
  out += "To: <" + std::string(to) + ">\r\n";
  out += header_line("Subject", subject);
  out += "Date: " + rfc5322_date(now) + "\r\n";
  out += "Message-ID: " + new_message_id(host) + "\r\n";
  out += "Auto-Submitted: auto-replied\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += fmt::format("Content-Type: multipart/report; report-type={};\r\n\tboundary=\"{}\"\r\n",
                     global ? "global-delivery-status" : "delivery-status", boundary);
  out += "\r\nThis is a MIME-encapsulated message.\r\n\r\n";

  report::TextFacts facts{host, selection.omitted, whole};
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n";
  out += "Content-Description: Notification\r\n\r\n";
  out += base64_lines(report::human_text(selection.listed, facts));

  out += "--" + boundary + "\r\n";
  out += part(fmt::format("Content-Type: message/{}\r\nContent-Description: Delivery report\r\n",
                          global ? "global-delivery-status" : "delivery-status"),
              dsn);

  out += "--" + boundary + "\r\n";
  const char* type = whole ? (global ? "message/global" : "message/rfc822")
                           : (global ? "message/global-headers" : "text/rfc822-headers");
  out += part(fmt::format("Content-Type: {}\r\nContent-Description: {}\r\n", type,
                          whole ? "Undelivered message" : "Message header"),
              returned);
  out += "--" + boundary + "--\r\n";

  ReportMail mail;
  mail.envelope.sender.clear();
  mail.envelope.recipients = {std::string(to)};
  mail.envelope.received_at = now;
  mail.envelope.smtputf8 = !is_ascii(to);
  mail.envelope.body = is_ascii(out) ? "" : "8BITMIME";
  mail.message = std::move(out);
  return mail;
}

}  // namespace

std::optional<ReportMail> compose_delivery_report(const Envelope& original, const OriginalMessage& message,
                                                  std::span<const RecipientOutcome> outcomes,
                                                  const ReportOptions& options) {
  if (!report_refusal(original.sender, header_block(message.bytes), options.reporting_mta).empty())
    return std::nullopt;
  auto selection = select(original, outcomes, options.max_recipients, [&](const RecipientOutcome& o) {
    RecipientDsn none;
    const RecipientDsn& dsn = o.index < original.recipient_dsn.size() ? original.recipient_dsn[o.index] : none;
    return notify_requests(dsn, o.action, options.delays_by_default);
  });
  if (selection.listed.empty()) return std::nullopt;
  return compose(original, message, selection, options, original.sender, subject_for(selection.listed));
}

std::optional<ReportMail> compose_admin_copy(const Envelope& original, const OriginalMessage& message,
                                             std::span<const RecipientOutcome> outcomes,
                                             const ReportOptions& options, const AdminCopyOptions& admin) {
  if (!admin.enabled) return std::nullopt;
  auto at = admin.address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == admin.address.size()) return std::nullopt;
  if (report::one_line(admin.address, true) != admin.address || admin.address.find(' ') != std::string::npos)
    return std::nullopt;
  if (!report_refusal(original.sender, header_block(message.bytes), options.reporting_mta).empty())
    return std::nullopt;
  if (iequals(original.sender, admin.address)) return std::nullopt;
  auto selection = select(original, outcomes, options.max_recipients,
                          [](const RecipientOutcome& o) { return o.action == ReportAction::failed; });
  if (selection.listed.empty()) return std::nullopt;
  return compose(original, message, selection, options, admin.address, "Postmaster Copy: Undelivered Mail");
}

std::vector<ReportMail> compose_delivery_reports(const Envelope& original, const OriginalMessage& message,
                                                 std::span<const RecipientOutcome> outcomes,
                                                 const ReportOptions& options, const AdminCopyOptions& admin) {
  std::vector<ReportMail> out;
  if (auto r = compose_delivery_report(original, message, outcomes, options)) out.push_back(std::move(*r));
  if (auto r = compose_admin_copy(original, message, outcomes, options, admin)) out.push_back(std::move(*r));
  return out;
}

}  // namespace dirmail::queue
