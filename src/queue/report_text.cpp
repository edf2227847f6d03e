#include "report_text.hpp"

#include <fmt/format.h>

#include "dirmail/base/time.hpp"

namespace dirmail::queue::report {
namespace {

bool is_success(ReportAction a) {
  return a == ReportAction::delivered || a == ReportAction::relayed || a == ReportAction::expanded;
}

void list(std::string& out, std::span<const ReportedRecipient> recipients, bool (*wanted)(ReportAction)) {
  for (const auto& r : recipients) {
    if (!wanted(r.action)) continue;
    out += fmt::format("  <{}>\r\n", r.address);
    if (!r.diagnostic.empty()) out += fmt::format("    {}\r\n", r.diagnostic);
    else out += fmt::format("    status {} ({})\r\n", r.status, to_string(r.action));
    if (!r.remote_mta.empty()) out += fmt::format("    (reported by {})\r\n", r.remote_mta);
    if (r.action == ReportAction::delayed && r.retry_until > 0)
      out += fmt::format("    Delivery will be tried until {}.\r\n", rfc5322_date(r.retry_until));
  }
  out += "\r\n";
}

bool any(std::span<const ReportedRecipient> recipients, bool (*wanted)(ReportAction)) {
  for (const auto& r : recipients)
    if (wanted(r.action)) return true;
  return false;
}

bool is_failed(ReportAction a) { return a == ReportAction::failed; }
bool is_delayed(ReportAction a) { return a == ReportAction::delayed; }

}  // namespace

std::string human_text(std::span<const ReportedRecipient> recipients, const TextFacts& facts) {
  std::string out = fmt::format("This is the mail system at {}.\r\n\r\n", facts.reporting_mta);
  const bool failed = any(recipients, is_failed);
  if (failed) {
    out += "Your message could not be delivered to the recipients below.\r\n";
    out += "お送りいただいたメールは、以下の宛先に配送できませんでした。\r\n\r\n";
    list(out, recipients, is_failed);
  }
  if (any(recipients, is_delayed)) {
    out += "Your message has not been delivered to the recipients below yet. The mail\r\n";
    out += "system is still trying; you need not send it again.\r\n";
    out += "以下の宛先へのメールはまだ配送できていませんが、配送を続けています。再送の必要はありません。\r\n\r\n";
    list(out, recipients, is_delayed);
  }
  if (any(recipients, is_success)) {
    out += "Your message was delivered to the recipients below.\r\n";
    out += "以下の宛先へのメールは配送されました。\r\n\r\n";
    list(out, recipients, is_success);
  }
  if (facts.omitted > 0) {
    out += fmt::format("{} more recipients are not listed in this report.\r\n", facts.omitted);
    out += fmt::format("ほか {} 件の宛先は、このレポートでは省略しています。\r\n\r\n", facts.omitted);
  }
  if (failed && facts.returns_whole) {
    out += "Your message is attached below.\r\n元のメールを添付します。\r\n";
  } else {
    out += "The header of your message is attached below.\r\n元のメールのヘッダーを添付します。\r\n";
  }
  return out;
}

}  // namespace dirmail::queue::report
