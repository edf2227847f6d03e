// Who gets a delivery report, and the small parsers the decision needs.
#include <string>

#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/queue/delivery_report.hpp"

namespace dirmail::queue {
namespace {

// Longest sender a report's "To: <...>" line can carry within 998 octets.
constexpr std::size_t max_report_address = 900;

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

int hex_value(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

// The value of a Content-Type parameter (any case, quotes removed), "" when absent.
std::string content_type_parameter(std::string_view value, std::string_view name) {
  auto params = split(value, ';');
  for (std::size_t i = 1; i < params.size(); ++i) {
    auto p = trim(params[i]);
    auto eq = p.find('=');
    if (eq == std::string_view::npos || !iequals(trim(p.substr(0, eq)), name)) continue;
    auto v = trim(p.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return to_lower(v);
  }
  return {};
}

// Whether the header block is that of an RFC 3464 report (RFC 6522 multipart/report).
bool is_delivery_report(std::string_view header) {
  auto type = first_field_value(header, "Content-Type");
  if (!type) return false;
  auto media = trim(std::string_view(*type).substr(0, type->find(';')));
  if (!iequals(media, "multipart/report")) return false;
  auto report_type = content_type_parameter(*type, "report-type");
  return report_type == "delivery-status" || report_type == "global-delivery-status";
}

}  // namespace

std::string_view to_string(ReportAction action) {
  switch (action) {
    case ReportAction::failed: return "failed";
    case ReportAction::delayed: return "delayed";
    case ReportAction::delivered: return "delivered";
    case ReportAction::relayed: return "relayed";
    case ReportAction::expanded: return "expanded";
  }
  return "failed";
}

bool notify_requests(const RecipientDsn& dsn, ReportAction action, bool delays_by_default) {
  if (trim(dsn.notify).empty()) {
    return action == ReportAction::failed || (action == ReportAction::delayed && delays_by_default);
  }
  std::string_view wanted = action == ReportAction::failed    ? "FAILURE"
                            : action == ReportAction::delayed ? "DELAY"
                                                              : "SUCCESS";
  for (auto keyword : split(dsn.notify, ',')) {
    if (iequals(trim(keyword), "NEVER")) return false;
  }
  for (auto keyword : split(dsn.notify, ',')) {
    if (iequals(trim(keyword), wanted)) return true;
  }
  return false;
}

std::string report_refusal(std::string_view sender, std::string_view original_header,
                           std::string_view reporting_mta) {
  if (sender.empty()) return "null sender";
  if (sender.size() > max_report_address) return "sender address too long";
  for (char c : sender) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u == 127) return "sender address malformed";  // it goes into To: as it is
  }
  auto at = sender.rfind('@');
  auto local = sender.substr(0, at);
  auto domain = at == std::string_view::npos ? std::string_view() : sender.substr(at + 1);
  // Another system's bounce agent, or our own: a report to it could only come back.
  if (iequals(local, "mailer-daemon")) return "sender is a mailer daemon";
  if (iequals(local, "postmaster") && !reporting_mta.empty() && iequals(domain, reporting_mta))
    return "sender is this host's postmaster";
  if (is_delivery_report(original_header)) return "message is a delivery report";
  return {};
}

std::optional<std::string> decode_xtext(std::string_view xtext) {
  std::string out;
  out.reserve(xtext.size());
  for (std::size_t i = 0; i < xtext.size(); ++i) {
    char c = xtext[i];
    auto u = static_cast<unsigned char>(c);
    if (c == '+') {
      if (i + 2 >= xtext.size() || !is_upper_hex(xtext[i + 1]) || !is_upper_hex(xtext[i + 2])) return std::nullopt;
      out += static_cast<char>(hex_value(xtext[i + 1]) * 16 + hex_value(xtext[i + 2]));
      i += 2;
    } else if (u < 33 || u > 126 || c == '=') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view header_block(std::string_view message) {
  if (message.starts_with("\r\n")) return {};
  if (message.starts_with("\n")) return {};
  for (std::size_t i = message.find('\n'); i != std::string_view::npos; i = message.find('\n', i + 1)) {
    auto next = message.substr(i + 1);
    if (next.starts_with("\r\n") || next.starts_with("\n")) return message.substr(0, i + 1);
  }
  return message;
}

}  // namespace dirmail::queue
