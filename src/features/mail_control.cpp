#include "dirmail/features/mail_control.hpp"

#include <fmt/format.h>

#include "dirmail/base/charset_conversion.hpp"
#include "dirmail/base/strings.hpp"

namespace dirmail::features {
namespace {

constexpr std::size_t max_line = 4096;

std::optional<bool> parse_yes_no(std::string_view v) {
  // The documented examples annotate values after ';' ("Discard = Yes ; ...").
  v = trim(v.substr(0, v.find(';')));
  if (iequals(v, "yes") || iequals(v, "true") || iequals(v, "on") || v == "1") return true;
  if (iequals(v, "no") || iequals(v, "false") || iequals(v, "off") || v == "0") return false;
  return std::nullopt;
}

}  // namespace

std::string to_utf8(std::string_view bytes) {
  if (bytes.find('\x1b') != std::string_view::npos) return convert_to_utf8(bytes, "ISO-2022-JP").value_or(std::string(bytes));
  if (valid_utf8(bytes)) return std::string(bytes);
  return convert_to_utf8(bytes, "CP932").value_or(std::string(bytes));
}

Result<MailControl> parse_mail_control(std::string_view text) {
  if (text.size() > max_mail_control_bytes)
    return make_error(ErrorCode::limit_exceeded, "IMS.CTL is larger than 64 KiB");
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a BOM from Notepad
  MailControl control;
  bool enabled = true, forward_enabled = true, reply_enabled = true, reply_section = false;
  ForwardControl forward;
  AutoReplyControl reply;
  std::string section;
  std::size_t number = 0, pos = 0;
  while (pos < text.size()) {
    ++number;
    auto lf = text.find('\n', pos);
    std::string_view line = text.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    pos = lf == std::string_view::npos ? text.size() : lf + 1;
    if (line.size() > max_line) return make_error(ErrorCode::invalid_argument, fmt::format("line {}: longer than 4096 bytes", number));
    line = trim(line);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    auto warn = [&](std::string_view what) { control.warnings.push_back(fmt::format("line {}: {}", number, what)); };
    if (line.front() == '[') {
      if (line.back() != ']') return make_error(ErrorCode::invalid_argument, fmt::format("line {}: a section needs a closing ]", number));
      section = to_lower(trim(line.substr(1, line.size() - 2)));
      if (section == "autoreply") reply_section = true;
      if (section != "control" && section != "autoforward" && section != "autoreply" && section != "delivery")
        warn(fmt::format("unknown section [{}] ignored", escape_control(section)));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return make_error(ErrorCode::invalid_argument, fmt::format("line {}: expected KEY=VALUE or [SECTION]", number));
    std::string key = to_lower(trim(line.substr(0, eq)));
    std::string_view value = trim(line.substr(eq + 1));
    auto flag = [&](bool& out) {
      if (auto b = parse_yes_no(value)) out = *b;
      else warn(fmt::format("{} must be Yes or No; ignored", key));
    };
    if (section == "control" && key == "enable") {
      flag(enabled);
    } else if (section == "autoforward") {
      if (key == "forwardto") forward.to = std::string(value);
      else if (key == "enable") flag(forward_enabled);
      else if (key == "permitfrom") flag(forward.permit_by_sender);
      else if (key == "deleteattachments") flag(forward.delete_attachments);
      else if (key == "reportto") {
        if (iequals(value, "administrator") || iequals(value, "admin")) forward.report_to = ForwardSender::administrator;
        else if (iequals(value, "sender")) forward.report_to = ForwardSender::sender;
        else if (iequals(value, "none")) forward.report_to = ForwardSender::none;
        else if (value.find('@') != std::string_view::npos && value.find_first_of(" \t<>") == std::string_view::npos) {
          forward.report_to = ForwardSender::address;
          forward.report_address = to_lower(value);
        } else warn("ReportTo must be Administrator, Sender, None or an address; ignored");
      } else if (key == "sizelimit") {
        if (auto n = parse_decimal(value, 12)) forward.size_limit = *n;
        else warn("SizeLimit must be a number of bytes; ignored");
      } else warn(fmt::format("unknown key {} ignored", escape_control(key)));
    } else if (section == "autoreply") {
      if (key == "subject") reply.subject = std::string(value);
      else if (key == "replyfrom") reply.reply_from = std::string(value);
      else if (key == "replyto") reply.reply_to = std::string(value);
      else if (key == "enable") flag(reply_enabled);
      else if (key == "echomessage") flag(reply.echo_message);
      else if (key == "deleteheaders") flag(reply.delete_headers);
      else if (key == "recordreplies") flag(reply.record_replies);
      else if (key == "replyonce") flag(reply.reply_once);
      else warn(fmt::format("unknown key {} ignored", escape_control(key)));
    } else if (section == "delivery" && key == "discard") {
      flag(control.discard);
    } else {
      warn(fmt::format("unknown key {} ignored", escape_control(key)));
    }
  }
  if (!enabled) return MailControl{{}, {}, false, std::move(control.warnings)};
  if (forward_enabled && !forward.to.empty()) control.forward = std::move(forward);
  if (reply_enabled && reply_section) control.auto_reply = std::move(reply);
  return control;
}

}  // namespace dirmail::features
