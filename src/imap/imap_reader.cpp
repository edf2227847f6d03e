#include "imap_reader.hpp"

#include <algorithm>
#include <cstring>


namespace dirmail::imap {

ImapReader::ImapReader(net::Stream& stream, std::size_t buffer_size)
    : deadline_(stream), buffer_size_(buffer_size) {}

bool ImapReader::has_buffered_line() const {
  return std::memchr(buffer_.data() + begin_, '\n', end_ - begin_) != nullptr;
}

net::awaitable<Status> ImapReader::fill(std::chrono::steady_clock::duration timeout) {
  begin_ = end_ = 0;  // callers consume everything buffered before asking for more
  auto n = co_await deadline_.read_some(buffer_, 0, buffer_size_, timeout, true);
  if (!n) co_return std::move(n).error();
  end_ = *n;
  co_return ok_status();
}

net::awaitable<Result<ImapReader::LineResult>> ImapReader::read_line(std::string& out, std::size_t max,
                                                                     std::chrono::steady_clock::duration timeout) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    std::size_t avail = end_ - begin_;
    const void* lf = std::memchr(start, '\n', avail);
    std::size_t take = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - start) + 1 : avail;
    // Keep at most the limit plus CR LF; the rest of an overlong line is dropped.
    std::size_t room = max + 2 > line_bytes_ ? max + 2 - line_bytes_ : 0;
    std::size_t keep = std::min(take, room);
    out.append(start, keep);
    kept_ += keep;
    line_bytes_ += take;
    begin_ += take;
    if (lf) {
      bool whole = kept_ == line_bytes_;
      std::size_t text = line_bytes_ - 1;
      if (whole) {
        out.pop_back();  // LF
        if (kept_ >= 2 && out.back() == '\r') {
          out.pop_back();
          --text;
        }
      }
      kept_ = line_bytes_ = 0;
      co_return whole && text <= max ? LineResult::complete : LineResult::too_long;
    }
    if (auto st = co_await fill(timeout); !st) co_return std::move(st).error();
  }
}

net::awaitable<Status> ImapReader::read_exact(std::string& out, std::size_t n,
                                              std::chrono::steady_clock::duration timeout) {
  while (n > 0) {
    if (begin_ == end_) {
      if (auto st = co_await fill(timeout); !st) co_return st;
    }
    std::size_t take = std::min(n, end_ - begin_);
    out.append(buffer_.data() + begin_, take);
    begin_ += take;
    n -= take;
  }
  co_return ok_status();
}

net::awaitable<Status> ImapReader::read_exact(const std::function<void(std::string_view)>& sink, std::uint64_t n,
                                              std::size_t chunk, std::chrono::steady_clock::duration timeout) {
  if (begin_ < end_) {
    std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, end_ - begin_));
    sink(std::string_view(buffer_).substr(begin_, take));
    begin_ += take;
    n -= take;
  }
  // One piece for the whole literal (a buffer given back at each wait would be taken
  // again for every read), sized to each read so that none takes bytes past the literal.
  std::string piece;
  piece.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk)));
  while (n > 0) {
    piece.resize(static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk)));
    auto got = co_await deadline_.read_some(piece, 0, piece.size(), timeout, false);
    if (!got) co_return std::move(got).error();
    sink(std::string_view(piece).substr(0, *got));
    n -= *got;
  }
  co_return ok_status();
}

}  // namespace dirmail::imap
