#include "dirmail/net/line_reader.hpp"

#include <algorithm>
#include <cstring>


namespace dirmail::net {

LineReader::LineReader(Stream& stream, std::size_t max_line, std::size_t buffer_size)
    : deadline_(stream), max_line_(max_line), capacity_(std::max(buffer_size, max_line + 2)) {}

bool LineReader::has_buffered_line() const {
  return std::memchr(buffer_.data() + begin_, '\n', end_ - begin_) != nullptr;
}

awaitable<Result<Line>> LineReader::read_line(std::chrono::steady_clock::duration timeout) {
  // One deadline for the whole line (or piece), not for each read: a client trickling a
  // byte at a time would otherwise hold its session for ever (slowloris).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const char* start = buffer_.data() + begin_;
    std::size_t avail = end_ - begin_;
    std::size_t scan = std::min(avail, max_line_ + 2);
    if (const void* lf = std::memchr(start, '\n', scan)) {
      std::size_t len = static_cast<const char*>(lf) - start;
      std::size_t text = (len > 0 && start[len - 1] == '\r') ? len - 1 : len;
      if (text > max_line_) {  // the CR LF fit the scan window but the text does not
        begin_ += max_line_;
        continuing_ = true;
        co_return Line{std::string_view(start, max_line_), true, false};
      }
      begin_ += len + 1;
      bool was_continuing = continuing_;
      continuing_ = false;
      co_return Line{std::string_view(start, text), was_continuing, true, text != len};
    }
    if (avail >= max_line_) {
      // No line end within the limit: hand out a piece, keeping a trailing CR for
      // the next piece so that a CR LF split across pieces is still seen as one.
      std::size_t len = max_line_;
      if (start[len - 1] == '\r') --len;
      begin_ += len;
      continuing_ = true;
      co_return Line{std::string_view(start, len), true, false};
    }
    if (begin_ > 0) {
      std::memmove(buffer_.data(), start, avail);
      begin_ = 0;
      end_ = avail;
    }
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) co_return make_error(ErrorCode::cancelled, "idle timeout");
    // Nothing buffered means the peer has nothing in flight: wait without a buffer.
    auto n = co_await deadline_.read_some(buffer_, end_, capacity_, left, end_ == 0);
    if (!n) co_return std::move(n).error();
    end_ += *n;
  }
}

awaitable<Result<std::string_view>> LineReader::read_bytes(std::size_t max,
                                                           std::chrono::steady_clock::duration timeout) {
  if (begin_ == end_) {
    begin_ = end_ = 0;
    auto n = co_await deadline_.read_some(buffer_, end_, capacity_, timeout, true);
    if (!n) co_return std::move(n).error();
    end_ += *n;
  }
  std::size_t take = std::min(max, end_ - begin_);
  std::string_view out(buffer_.data() + begin_, take);
  begin_ += take;
  co_return out;
}

}  // namespace dirmail::net
