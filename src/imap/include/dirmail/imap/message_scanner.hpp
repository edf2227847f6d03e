#pragma once
// One pass over a stored message, fed in chunks: where its header ends, the header
// bytes (kept up to a limit), and the line count of the body. FETCH uses it for
// BODY[HEADER]/[TEXT] offsets, ENVELOPE, HEADER.FIELDS and BODYSTRUCTURE without
// holding the message in memory.
#include <cstdint>
#include <string>
#include <string_view>

namespace dirmail::imap {

class MessageScanner {
 public:
  explicit MessageScanner(std::size_t max_header_bytes) : max_header_(max_header_bytes) {}

  void feed(std::string_view chunk);

  // Bytes of the header including the empty line that ends it. A message without an
  // empty line is all header (RFC 3501: its TEXT is empty).
  std::uint64_t header_size() const { return header_done_ ? header_size_ : total_; }
  std::uint64_t total_size() const { return total_; }
  std::uint64_t body_size() const { return total_ - header_size(); }
  std::uint64_t body_lines() const { return body_lines_; }
  bool header_complete() const { return header_done_; }
  // The header as kept: at most max_header_bytes; header_truncated() says if cut.
  std::string_view header() const { return header_; }
  bool header_truncated() const { return header_truncated_; }

 private:
  std::size_t max_header_;
  std::string header_;
  bool header_truncated_ = false;
  bool header_done_ = false;
  std::uint64_t header_size_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t body_lines_ = 0;
  bool line_has_text_ = false;  // the current header line has something besides CR
};

}  // namespace dirmail::imap
