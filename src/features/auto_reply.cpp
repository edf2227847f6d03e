#include "dirmail/features/auto_reply.hpp"

#include <fmt/format.h>

#include "dirmail/base/base64.hpp"
#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/message_id.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"

namespace dirmail::features {
namespace {

// Local parts that belong to software, not people (RFC 3834 §2, RFC 2142).
bool robot_local_part(std::string_view local) {
  std::string l = to_lower(local);
  return l == "mailer-daemon" || l == "postmaster" || l == "listserv" || l == "majordomo" || l == "noreply" ||
         l == "no-reply" || l.starts_with("owner-") || l.ends_with("-request") || l.ends_with("-owner") ||
         l.ends_with("-bounces");
}

// Base64 lines of at most 76 characters (RFC 2045 §6.8).
std::string base64_lines(std::string_view data) {
  std::string b64 = base64_encode(data), out;
  for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

// Text with CRLF line ends whatever it was written with.
std::string crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n') out += '\r';
    out += text[i];
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

// A header value safe to copy: one line, no control characters.
std::string one_line(std::string_view v, std::size_t max = 998) {
  std::string out;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 32 && u != 127) out += c;
    else if (c == '\t') out += ' ';
  }
  return out.substr(0, max);
}

}  // namespace

std::string auto_reply_refusal(std::string_view sender, std::string_view header) {
  if (sender.empty()) return "null sender";
  auto at = sender.rfind('@');
  if (robot_local_part(sender.substr(0, at))) return "sender is a mail robot";
  for (const auto& f : split_header_fields(header)) {
    std::string value = to_lower(field_value(f));
    if (iequals(f.name, "Auto-Submitted") && trim(std::string_view(value).substr(0, value.find(';'))) != "no")
      return "Auto-Submitted: " + one_line(value, 64);
    if (iequals(f.name, "Precedence") && (value == "bulk" || value == "list" || value == "junk"))
      return "Precedence: " + value;
    if (iequals(f.name, "List-Id") || iequals(f.name, "List-Post") || iequals(f.name, "List-Unsubscribe"))
      return std::string(f.name) + " (a mailing list)";
    if (iequals(f.name, "X-Auto-Response-Suppress") &&
        (value.find("all") != std::string::npos || value.find("oof") != std::string::npos ||
         value.find("autoreply") != std::string::npos))
      return "X-Auto-Response-Suppress: " + one_line(value, 64);
  }
  return {};
}

std::string encode_header_text(std::string_view utf8) {
  if (is_ascii(utf8)) return one_line(utf8);
  // Encoded words of at most 75 characters (RFC 2047 §2): 45 bytes of UTF-8 each,
  // never cutting a character.
  std::string out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t end = std::min(utf8.size(), i + 45);
    while (end < utf8.size() && end > i && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(utf8.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string compose_auto_reply(const AutoReplyControl& control, const AutoReplyInput& in) {
  std::string original_subject = first_field_value(in.original_header, "Subject").value_or("");
  std::string subject = control.subject.empty() ? "Auto-Reply: " + original_subject : to_utf8(control.subject);
  std::string from = control.reply_from.empty() ? in.user_address : one_line(control.reply_from);
  std::string out;
  out += "From: " + from + "\r\n";
  out += "To: " + one_line(in.to) + "\r\n";
  if (!control.reply_to.empty()) out += "Reply-To: " + one_line(control.reply_to) + "\r\n";
  out += "Subject: " + (control.subject.empty() ? one_line(subject) : encode_header_text(subject)) + "\r\n";
  out += "Date: " + rfc5322_date(in.now) + "\r\n";
  out += "Message-ID: " + new_message_id(in.hostname) + "\r\n";
  if (auto id = first_field_value(in.original_header, "Message-ID"); id && !id->empty()) {
    out += "In-Reply-To: " + one_line(*id) + "\r\n";
    std::string refs = first_field_value(in.original_header, "References").value_or("");
    out += "References: " + one_line(refs.empty() ? *id : refs + " " + *id) + "\r\n";
  }
  out += "Auto-Submitted: auto-replied\r\n";
  out += "MIME-Version: 1.0\r\n";
  std::string text = crlf(to_utf8(in.text));
  std::string text_part = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                          base64_lines(text);
  if (!control.echo_message || in.echo.empty()) return out + text_part;
  std::string boundary = "=_dirmail_" + new_message_id("x").substr(1, 30);
  out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + text_part;
  out += "--" + boundary + "\r\n";
  std::string echo = in.echo;
  if (control.delete_headers) {
    // Only the body, with the fields that say how to read it.
    auto end = echo.find("\r\n\r\n");
    std::string body = end == std::string::npos ? std::string() : echo.substr(end + 4);
    std::string kept;
    for (const char* name : {"MIME-Version", "Content-Type", "Content-Transfer-Encoding"})
      for (const auto& f : split_header_fields(in.original_header))
        if (iequals(f.name, name)) kept += std::string(f.raw);
    echo = kept + "\r\n" + body;
  }
  out += "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" + echo;
  if (!echo.ends_with("\r\n")) out += "\r\n";
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace dirmail::features
