#pragma once
// A peer's SMTP reply (RFC 5321 §4.2): a three-digit code on every line, "-" after
// it on all but the last, and optionally an enhanced status code (RFC 3463) at the
// start of the text. Replies come from untrusted servers, so the assembler bounds
// the line length and the number of lines.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::delivery {

struct SmtpReply {
  int code = 0;              // 200..599
  std::string enhanced;      // "5.1.1", or "" when the text does not start with one
  std::vector<std::string> lines;  // each line's text after the code and separator
                                   // (enhanced code included); control characters as '?'

  int klass() const { return code / 100; }  // 2, 3, 4 or 5
  // The text of every line on one line (for logs and DSN Diagnostic-Code fields):
  // "550 5.1.1 first line second line".
  std::string summary() const;
};

struct ReplyLimits {
  std::size_t max_line = 2048;  // octets of one line without CR LF (RFC 5321 asks for 512)
  std::size_t max_lines = 100;  // lines of one reply (a long EHLO reply has ~20)
};

// Builds replies from lines read off the connection, one line at a time.
class ReplyAssembler {
 public:
  explicit ReplyAssembler(ReplyLimits limits = {}) : limits_(limits) {}

  // Adds one line (without CR LF). Returns the reply when this line ends it, nullopt
  // when more lines follow. Errors: protocol_error for a line that is not a reply
  // line or whose code differs from the previous lines', limit_exceeded past a limit.
  // After an error the assembler starts afresh.
  Result<std::optional<SmtpReply>> add_line(std::string_view line);

  const ReplyLimits& limits() const { return limits_; }

 private:
  ReplyLimits limits_;
  std::optional<SmtpReply> partial_;
};

// The enhanced status code at the start of `text` ("5.1.1 User unknown" -> "5.1.1")
// when its class matches `code`'s first digit; "" otherwise.
std::string enhanced_status_code(int code, std::string_view text);

// Every reply in `text` (lines separated by LF or CR LF; the last one may lack it),
// for tests and the fuzzer. Errors as ReplyAssembler::add_line, and protocol_error for
// a reply cut off at the end.
Result<std::vector<SmtpReply>> parse_replies(std::string_view text, ReplyLimits limits = {});

}  // namespace dirmail::delivery
