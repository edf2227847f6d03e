#pragma once
// Buffered line reader with a hard line-length limit and an idle deadline.
// Lines end in LF (a CR before it is stripped); a line longer than the limit is
// returned in pieces marked `truncated`, so callers can refuse it (commands) or
// carry on (message data) without unbounded memory.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"
#include "dirmail/net/read_deadline.hpp"

namespace dirmail::net {

struct Line {
  std::string_view text;   // without CR LF; valid until the next read
  bool truncated = false;  // the line went on past max_line: more pieces follow
  bool complete = true;    // this piece ends the line
  bool crlf = false;       // the line ended in CR LF (not a bare LF)
};

class LineReader {
 public:
  LineReader(Stream& stream, std::size_t max_line, std::size_t buffer_size = 4096);

  // The next line or piece, which must arrive whole within `timeout` (however the bytes
  // trickle in). Errors: cancelled on timeout or shutdown, io_error on a broken
  // connection, not_found at end of stream.
  awaitable<Result<Line>> read_line(std::chrono::steady_clock::duration timeout);

  // Up to `max` raw octets (a BDAT chunk, RFC 3030): what is buffered first, else what
  // one read brings. Valid until the next read. Errors as read_line.
  awaitable<Result<std::string_view>> read_bytes(std::size_t max, std::chrono::steady_clock::duration timeout);

  // Whether a whole line is already buffered (used to batch pipelined replies).
  bool has_buffered_line() const;
  // Drops buffered input (after a STARTTLS the plaintext tail must not be reused).
  void discard_buffer() { begin_ = end_ = 0; }
  void set_max_line(std::size_t max) { max_line_ = max; }

 private:
  ReadDeadline deadline_;
  std::size_t max_line_;
  std::size_t capacity_;  // the buffer's size while it holds data
  std::string buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool continuing_ = false;  // previous piece was truncated
};

}  // namespace dirmail::net
