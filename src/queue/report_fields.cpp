#include "report_fields.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::queue::report {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// "1*3digit"
bool status_number(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// RFC 6533 §3 "\x{HHHH}" escapes as UTF-8; a malformed escape stays as written.
std::string unescape_utf8_address(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 3) == "\\x{") {
      auto close = s.find('}', i + 3);
      auto hex = close == std::string_view::npos ? std::string_view() : s.substr(i + 3, close - i - 3);
      bool ok = !hex.empty() && hex.size() <= 6;
      std::uint32_t cp = 0;
      for (char c : hex) {
        if (!is_hex(c)) ok = false;
        else cp = cp * 16 + static_cast<std::uint32_t>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
      }
      if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        append_utf8(out, cp);
        i = close;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// An RFC 3464 address-type or diagnostic-type: an atom of letters, digits and '-'.
bool valid_type(std::string_view t) {
  if (t.empty() || t.size() > 40) return false;
  for (char c : t)
    if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) return false;
  return true;
}

}  // namespace

std::string one_line(std::string_view text, bool allow_utf8, std::size_t max) {
  const bool keep_8bit = allow_utf8 && valid_utf8(text);
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = ' ';
    else if (u > 127 && !keep_8bit) c = '?';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max) {
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    out.resize(end);
  }
  return out;
}

std::string status_for(ReportAction action, std::string_view status) {
  char generic = action == ReportAction::failed ? '5' : action == ReportAction::delayed ? '4' : '2';
  auto parts = split(status, '.');
  if (parts.size() == 3 && parts[0].size() == 1 && status_number(parts[1]) && status_number(parts[2])) {
    char klass = parts[0][0];
    bool fits = klass == generic || (action == ReportAction::failed && klass == '4');
    if (fits) return std::string(status);
  }
  return std::string(1, generic) + ".0.0";
}

std::string original_recipient(std::string_view orcpt) {
  auto semi = orcpt.find(';');
  if (semi == std::string_view::npos) return {};
  auto type = trim(orcpt.substr(0, semi));
  if (!valid_type(type)) return {};
  auto decoded = decode_xtext(trim(orcpt.substr(semi + 1)));
  if (!decoded || decoded->empty()) return {};
  std::string address = iequals(type, "utf-8") ? unescape_utf8_address(*decoded) : *decoded;
  address = one_line(address, true, max_field_value - type.size() - 2);
  if (address.empty()) return {};
  return std::string(type) + "; " + address;
}

std::string header_line(std::string_view name, std::string_view value) {
  constexpr std::size_t width = 78;
  std::string out = std::string(name) + ":";
  std::size_t line_start = 0;
  for (auto word : split(value, ' ')) {
    if (word.empty()) continue;
    // Fold before the space when the word would run past the width (never on the
    // field's first line before any word).
    if (out.size() - line_start + 1 + word.size() > width && out.size() > name.size() + 1) {
      out += "\r\n";
      line_start = out.size();
    }
    out += ' ';
    out += word;
  }
  return out + "\r\n";
}

ReportedRecipient reported_recipient(const Envelope& original, const RecipientOutcome& outcome) {
  ReportedRecipient r;
  r.action = outcome.action;
  r.address = one_line(original.recipients[outcome.index], true);
  r.final_recipient = std::string(is_ascii(r.address) ? "rfc822" : "utf-8") + "; " + r.address;
  if (outcome.index < original.recipient_dsn.size())
    r.original_recipient = original_recipient(original.recipient_dsn[outcome.index].orcpt);
  r.status = status_for(outcome.action, outcome.status);
  r.diagnostic = one_line(outcome.diagnostic, false);
  r.diagnostic_type = valid_type(outcome.diagnostic_type) ? outcome.diagnostic_type : "smtp";
  r.remote_mta = one_line(outcome.remote_mta, false, 255);
  if (r.remote_mta.find(' ') != std::string::npos) r.remote_mta.clear();
  r.last_attempt = outcome.last_attempt;
  r.retry_until = outcome.retry_until;
  return r;
}

}  // namespace dirmail::queue::report
