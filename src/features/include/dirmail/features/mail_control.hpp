#pragma once
// The original's per-user mail control file IMS.CTL (an INI file in the user's mailbox
// folder): forwarding, auto-reply and whether the mailbox keeps a copy. Keys the
// original documents keep their names and meaning; dirmail names the dialog's other
// options (docs/admin-guide.md, "Mail control"):
//
//   [Control]      Enable=No                     switches the whole file off
//   [AutoForward]  ForwardTo=addr | FILE:/path   one address, or a file of addresses
//                  Enable, PermitFrom=Yes (only senders in PERMITFROM.TXT),
//                  ReportTo=Administrator|Sender|None|addr (envelope sender of the copy),
//                  DeleteAttachments=Yes, SizeLimit=N (body cut to N bytes; 0: the header only)
//   [AutoReply]    Enable, Subject, ReplyFrom, ReplyTo, EchoMessage, DeleteHeaders,
//                  RecordReplies (REPLIED.TXT), ReplyOnce (NOREPLY.TXT); text AUTORPLY.TXT
//   [Delivery]     Discard=Yes                   no copy in the mailbox
//
// Values are bytes as written (UTF-8, Shift_JIS or ISO-2022-JP: see to_utf8()).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::features {

inline constexpr std::size_t max_mail_control_bytes = 64 * 1024;

// Who the forwarded copy comes from (its envelope sender), i.e. who gets its bounces.
enum class ForwardSender { administrator, sender, none, address };

struct ForwardControl {
  std::string to;  // an address, or "FILE:" and a path
  bool permit_by_sender = false;
  ForwardSender report_to = ForwardSender::sender;
  std::string report_address;  // ForwardSender::address
  bool delete_attachments = false;
  std::optional<std::uint64_t> size_limit;
};

struct AutoReplyControl {
  std::string subject;
  std::string reply_from;
  std::string reply_to;
  bool echo_message = false;
  bool delete_headers = false;
  bool record_replies = false;
  bool reply_once = false;
};

struct MailControl {
  std::optional<ForwardControl> forward;
  std::optional<AutoReplyControl> auto_reply;
  bool discard = false;
  std::vector<std::string> warnings;  // "line N: ..." for what was ignored
};

// Parses IMS.CTL. Unknown sections and keys are warnings, not errors (the original's
// undocumented keys may be there); a line that is no INI line is an error.
Result<MailControl> parse_mail_control(std::string_view text);

// Text of a mail control file as UTF-8: ISO-2022-JP (it has ESC sequences), UTF-8, or
// else Shift_JIS (CP932), the encodings Windows tools wrote.
std::string to_utf8(std::string_view bytes);

}  // namespace dirmail::features
