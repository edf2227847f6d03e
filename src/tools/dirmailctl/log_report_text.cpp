// The text and CSV forms of dirmailctl log report.
#include <ostream>
#include <string_view>

#include "log_report_formats.hpp"

namespace dirmail::ctl {
namespace {

void text_table(std::ostream& out, std::string_view title, const NameCounts& counts, std::size_t top) {
  if (counts.empty()) return;
  out << "  " << title;
  if (counts.size() > top) out << " (top " << top << " of " << counts.size() << ")";
  out << ":\n";
  for (const auto& [name, n] : top_counts(counts, top)) out << "    " << n << "  " << name << "\n";
}

// RFC 4180 quoting; a cell a spreadsheet would take for a formula (a client-supplied
// address starting with = + - @) gets a leading apostrophe first.
std::string csv_cell(std::string_view v) {
  std::string text;
  if (!v.empty() && (v.front() == '=' || v.front() == '+' || v.front() == '-' || v.front() == '@')) text = "'";
  text += v;
  v = text;
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return text;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

void write_report_text(const LogReport& report, std::size_t top, std::ostream& out) {
  out << "# " << report.files << (report.files == 1 ? " file, " : " files, ") << report.lines << " lines, "
      << report.records << " records in the period, " << report.skipped << " damaged lines skipped\n";
  for (const auto& [reason, n] : report.skipped_by_reason) out << "#   skipped " << n << ": " << reason << "\n";
  for (const auto& [date, d] : report.days) {
    out << "\n" << date << " (UTC)\n"
        << "  received: " << d.received << " messages, " << d.received_bytes << " bytes, " << d.received_recipients
        << " recipients\n"
        << "  delivered: " << d.delivered_local << " local, " << d.delivered_remote << " remote\n"
        << "  failed: " << d.failed << "\n"
        << "  logins: " << d.auth_ok << " ok, " << d.auth_failed << " failed\n";
    text_table(out, "failures by reason", d.failures_by_reason, top);
    text_table(out, "login failures by reason", d.auth_failures_by_reason, top);
    text_table(out, "top senders", d.senders, top);
    text_table(out, "top recipients", d.recipients, top);
    text_table(out, "sender domains", d.sender_domains, top);
    text_table(out, "recipient domains", d.recipient_domains, top);
    text_table(out, "users: messages sent", d.users_sent, top);
    text_table(out, "users: messages delivered", d.users_delivered, top);
  }
}

void write_report_csv(const LogReport& report, std::size_t top, std::ostream& out) {
  out << "date,figure,name,value\r\n";
  for (const auto& [date, d] : report.days) {
    auto row = [&](std::string_view figure, std::string_view name, std::uint64_t value) {
      out << date << "," << figure << "," << csv_cell(name) << "," << value << "\r\n";
    };
    auto rows = [&](std::string_view figure, const NameCounts& counts, std::size_t n) {
      for (const auto& [name, value] : top_counts(counts, n)) row(figure, name, value);
    };
    row("received", "", d.received);
    row("received_bytes", "", d.received_bytes);
    row("received_recipients", "", d.received_recipients);
    row("delivered_local", "", d.delivered_local);
    row("delivered_remote", "", d.delivered_remote);
    row("failed", "", d.failed);
    row("auth_ok", "", d.auth_ok);
    row("auth_failed", "", d.auth_failed);
    rows("failure_reason", d.failures_by_reason, d.failures_by_reason.size());
    rows("auth_failure_reason", d.auth_failures_by_reason, d.auth_failures_by_reason.size());
    rows("sender", d.senders, top);
    rows("recipient", d.recipients, top);
    rows("sender_domain", d.sender_domains, top);
    rows("recipient_domain", d.recipient_domains, top);
    rows("user_sent", d.users_sent, top);
    rows("user_delivered", d.users_delivered, top);
  }
}

}  // namespace dirmail::ctl
