#pragma once
// Reads what an IMAP client sends: command lines (to CRLF, with a hard limit) and
// literal octets (an exact count, CRLF included as data). net::LineReader cannot give
// literal bytes back exactly (it strips CR), so IMAP keeps this small reader of its
// own. The buffer is small and fixed; a line or literal is appended to the caller's
// string (or, for APPEND's large message, handed to a sink piece by piece), so nothing
// large stays allocated between commands.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"
#include "dirmail/net/read_deadline.hpp"

namespace dirmail::imap {

class ImapReader {
 public:
  explicit ImapReader(net::Stream& stream, std::size_t buffer_size = 2048);

  enum class LineResult { complete, too_long };
  // Appends the next line, without its CR LF, to `out`. A line longer than `max`
  // is read to its end and dropped past `max` (too_long). Errors: cancelled on
  // timeout or cancel(), not_found at end of stream, io_error. A timed-out partial
  // line stays in `out`; calling again continues it.
  net::awaitable<Result<LineResult>> read_line(std::string& out, std::size_t max,
                                               std::chrono::steady_clock::duration timeout);
  // Appends exactly `n` bytes to `out`.
  net::awaitable<Status> read_exact(std::string& out, std::size_t n, std::chrono::steady_clock::duration timeout);
  // Hands exactly `n` bytes to `sink` in pieces of at most `chunk` bytes, read straight
  // from the stream past what is buffered: a large literal never passes through a
  // string that grows with it.
  net::awaitable<Status> read_exact(const std::function<void(std::string_view)>& sink, std::uint64_t n,
                                    std::size_t chunk, std::chrono::steady_clock::duration timeout);

  bool has_buffered_line() const;
  // Drops buffered input (after STARTTLS the plaintext tail must not be used).
  void discard_buffer() { begin_ = end_ = line_bytes_ = kept_ = 0; }

 private:
  net::awaitable<Status> fill(std::chrono::steady_clock::duration timeout);

  net::ReadDeadline deadline_;
  std::size_t buffer_size_;
  std::string buffer_;  // empty while waiting for a command
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t line_bytes_ = 0;  // bytes of the current line seen so far, dropped ones too
  std::size_t kept_ = 0;        // of those, the ones appended to the caller's string
};

}  // namespace dirmail::imap
