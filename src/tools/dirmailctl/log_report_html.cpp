// The HTML form of dirmailctl log report: one file an administrator can open or mail
// on, so everything is inline (CSS, SVG bar charts) and nothing runs or is fetched.
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "log_report_formats.hpp"

namespace dirmail::ctl {
namespace {

using Rows = std::vector<std::pair<std::string, std::uint64_t>>;

// Log values come from clients (addresses, reasons): always escaped.
std::string escaped(std::string_view v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string shortened(std::string_view v, std::size_t max) {
  if (v.size() <= max) return std::string(v);
  return std::string(v.substr(0, max - 1)) + "\u2026";
}

// A horizontal bar chart: one bar a row, the label left, the count at the bar's end.
void bar_chart(std::ostream& out, std::string_view title, const Rows& rows, std::string_view colour) {
  if (rows.empty()) return;
  constexpr int label_width = 260, bar_width = 420, row_height = 22;
  std::uint64_t largest = 1;
  for (const auto& row : rows) largest = std::max(largest, row.second);
  const int height = static_cast<int>(rows.size()) * row_height + 8;
  out << "<figure><figcaption>" << escaped(title) << "</figcaption>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << label_width + bar_width + 70 << "\" height=\""
      << height << "\" role=\"img\" aria-label=\"" << escaped(title) << "\">\n";
  int y = 4;
  for (const auto& [name, n] : rows) {
    const int w = std::max<int>(1, static_cast<int>(static_cast<double>(n) / static_cast<double>(largest) * bar_width));
    out << "<text x=\"" << label_width - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\">"
        << escaped(shortened(name, 38)) << "</text>"
        << "<rect x=\"" << label_width << "\" y=\"" << y + 2 << "\" width=\"" << w << "\" height=\"" << row_height - 6
        << "\" fill=\"" << colour << "\"/>"
        << "<text x=\"" << label_width + w + 6 << "\" y=\"" << y + 15 << "\">" << n << "</text>\n";
    y += row_height;
  }
  out << "</svg></figure>\n";
}

void table(std::ostream& out, std::string_view title, std::string_view column, const NameCounts& counts,
           std::size_t top, std::string_view counted = "messages") {
  if (counts.empty()) return;
  out << "<table><caption>" << escaped(title);
  if (counts.size() > top) out << " (top " << top << " of " << counts.size() << ")";
  out << "</caption><tr><th>" << escaped(column) << "</th><th class=\"n\">" << escaped(counted) << "</th></tr>\n";
  for (const auto& [name, n] : top_counts(counts, top))
    out << "<tr><td>" << escaped(name) << "</td><td class=\"n\">" << n << "</td></tr>\n";
  out << "</table>\n";
}

constexpr std::string_view style = R"(
body{font-family:system-ui,"Segoe UI",Arial,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #d0d7de;padding-bottom:4px}
p.meta{color:#57606a;margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 12px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:120px;background:#f6f8fa}
.card b{display:block;font-size:22px}.card span{color:#57606a;font-size:13px}
.card.bad b{color:#b42318}
.grid{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
table{border-collapse:collapse;margin:6px 0;font-size:14px}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#f6f8fa}td.n,th.n{text-align:right}
figure{margin:6px 0}figcaption{font-weight:600;font-size:14px;margin-bottom:2px}
svg text{font-size:12px;fill:#1b1f24;font-family:system-ui,Arial,sans-serif}
)";

void card(std::ostream& out, std::string_view label, std::uint64_t n, bool bad = false) {
  out << "<div class=\"card" << (bad && n > 0 ? " bad" : "") << "\"><b>" << n << "</b><span>" << escaped(label)
      << "</span></div>";
}

std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return text;
}

}  // namespace

void write_report_html(const LogReport& report, std::size_t top, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>dirmail log report";
  if (!report.days.empty())
    out << " " << report.days.begin()->first << " \u2013 " << report.days.rbegin()->first;
  out << "</title>\n<style>" << style << "</style></head><body>\n<h1>dirmail log report</h1>\n"
      << "<p class=\"meta\">" << report.files << " log files, " << report.lines << " lines, " << report.records
      << " records in the period, " << report.skipped << " damaged lines skipped. Days are UTC.</p>\n";
  if (report.days.size() > 1) {
    Rows received, delivered;
    for (const auto& [date, d] : report.days) {
      received.emplace_back(date, d.received);
      delivered.emplace_back(date, d.delivered_local + d.delivered_remote);
    }
    out << "<div class=\"grid\">";
    bar_chart(out, "Messages received per day", received, "#2f6fbd");
    bar_chart(out, "Copies delivered per day", delivered, "#2e8540");
    out << "</div>\n";
  }
  for (const auto& [date, d] : report.days) {
    out << "<section><h2>" << escaped(date) << "</h2>\n<div class=\"cards\">";
    card(out, "messages received", d.received);
    card(out, "bytes received (" + human_size(d.received_bytes) + ")", d.received_bytes);
    card(out, "recipients", d.received_recipients);
    card(out, "delivered locally", d.delivered_local);
    card(out, "delivered remotely", d.delivered_remote);
    card(out, "failed recipients", d.failed, true);
    card(out, "logins ok", d.auth_ok);
    card(out, "logins failed", d.auth_failed, true);
    out << "</div>\n<div class=\"grid\">";
    bar_chart(out, "Top senders", top_counts(d.senders, top), "#2f6fbd");
    bar_chart(out, "Top recipients", top_counts(d.recipients, top), "#2e8540");
    bar_chart(out, "Failures by reason", top_counts(d.failures_by_reason, top), "#b42318");
    bar_chart(out, "Login failures by reason",
              top_counts(d.auth_failures_by_reason, top), "#b54708");
    out << "</div>\n<div class=\"grid\">";
    table(out, "Senders", "address", d.senders, top);
    table(out, "Recipients", "address", d.recipients, top);
    table(out, "Sender domains", "domain", d.sender_domains, top);
    table(out, "Recipient domains", "domain", d.recipient_domains, top);
    table(out, "Users: messages sent", "user", d.users_sent, top);
    table(out, "Users: messages delivered", "user", d.users_delivered, top);
    table(out, "Failures by reason", "reason", d.failures_by_reason, top, "recipients");
    table(out, "Login failures by reason", "reason", d.auth_failures_by_reason, top, "logins");
    out << "</div></section>\n";
  }
  if (report.days.empty()) out << "<p>No records in the period.</p>\n";
  out << "</body></html>\n";
}

}  // namespace dirmail::ctl
