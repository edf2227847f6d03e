#pragma once
// Turns stored message bytes into a POP3 multi-line response body (RFC 1939 §3):
// a '.' at a line start is doubled, the body ends with CRLF "." CRLF. For TOP it
// stops after the header and the first N body lines.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dirmail::pop3 {

class DotStuffer {
 public:
  // body_lines: for TOP, how many body lines to send after the header; nullopt = all.
  explicit DotStuffer(std::optional<std::uint64_t> body_lines = std::nullopt) : body_lines_(body_lines) {}
  // Appends the stuffed form of `chunk` to `out`. Returns false once TOP has all it wants.
  bool feed(std::string_view chunk, std::string& out);
  // Appends the terminating line.
  void finish(std::string& out);

 private:
  std::optional<std::uint64_t> body_lines_;
  bool line_start_ = true;
  bool in_body_ = false;
  bool current_line_empty_ = true;
  std::uint64_t body_sent_ = 0;
  bool done_ = false;
};

}  // namespace dirmail::pop3
