#include "dirmail/delivery/smtp_reply.hpp"

#include <fmt/format.h>

namespace dirmail::delivery {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Digits of an enhanced code's subject or detail: 1 to 3 (RFC 3463 §2).
std::size_t digits_at(std::string_view s, std::size_t pos) {
  std::size_t n = 0;
  while (pos + n < s.size() && digit(s[pos + n]) && n < 4) ++n;
  return n >= 1 && n <= 3 ? n : 0;
}

std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

std::string SmtpReply::summary() const {
  std::string out = fmt::format("{}", code);
  for (const auto& line : lines) {
    if (line.empty()) continue;
    out += ' ';
    out += line;
  }
  return out;
}

std::string enhanced_status_code(int code, std::string_view text) {
  if (code / 100 == 3) return {};  // RFC 3463 classes are 2, 4 and 5
  if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.') return {};
  std::size_t subject = digits_at(text, 2);
  if (subject == 0 || 2 + subject >= text.size() || text[2 + subject] != '.') return {};
  std::size_t detail_at = 3 + subject;
  std::size_t detail = digits_at(text, detail_at);
  if (detail == 0) return {};
  std::size_t end = detail_at + detail;
  if (end < text.size() && text[end] != ' ' && text[end] != '\t') return {};
  return std::string(text.substr(0, end));
}

Result<std::optional<SmtpReply>> ReplyAssembler::add_line(std::string_view line) {
  auto fail = [this](ErrorCode code, std::string message) -> Error {
    partial_.reset();
    return make_error(code, std::move(message));
  };
  if (line.size() > limits_.max_line)
    return fail(ErrorCode::limit_exceeded, fmt::format("reply line longer than {} octets", limits_.max_line));
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !digit(line[1]) || !digit(line[2]))
    return fail(ErrorCode::protocol_error, "not an SMTP reply line: \"" + printable(line.substr(0, 60)) + "\"");
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  bool last = true;
  if (line.size() > 3) {
    if (line[3] == '-')
      last = false;
    else if (line[3] != ' ')
      return fail(ErrorCode::protocol_error, "not an SMTP reply line: \"" + printable(line.substr(0, 60)) + "\"");
  }
  if (partial_ && partial_->code != code)
    return fail(ErrorCode::protocol_error, fmt::format("reply code {} inside a {} reply", code, partial_->code));
  if (!partial_) {
    partial_.emplace();
    partial_->code = code;
  }
  if (partial_->lines.size() >= limits_.max_lines)
    return fail(ErrorCode::limit_exceeded, fmt::format("reply of more than {} lines", limits_.max_lines));
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
  if (partial_->lines.empty()) partial_->enhanced = enhanced_status_code(code, text);
  partial_->lines.push_back(printable(text));
  if (!last) return std::optional<SmtpReply>();
  std::optional<SmtpReply> done = std::move(partial_);
  partial_.reset();
  return done;
}

Result<std::vector<SmtpReply>> parse_replies(std::string_view text, ReplyLimits limits) {
  ReplyAssembler assembler(limits);
  std::vector<SmtpReply> replies;
  bool open = false;
  while (!text.empty()) {
    std::size_t lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text = lf == std::string_view::npos ? std::string_view() : text.substr(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto got = assembler.add_line(line);
    if (!got) return std::move(got).error();
    open = !got->has_value();
    if (!open) replies.push_back(std::move(**got));
  }
  if (open) return make_error(ErrorCode::protocol_error, "reply cut off");
  return replies;
}

}  // namespace dirmail::delivery
