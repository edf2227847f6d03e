#include "dirmail/imap/message_scanner.hpp"

#include <algorithm>

namespace dirmail::imap {

void MessageScanner::feed(std::string_view chunk) {
  std::size_t i = 0;
  if (!header_done_) {
    for (; i < chunk.size(); ++i) {
      char c = chunk[i];
      if (c == '\n') {
        if (!line_has_text_) {
          header_done_ = true;
          header_size_ = total_ + i + 1;
          ++i;
          break;
        }
        line_has_text_ = false;
      } else if (c != '\r') {
        line_has_text_ = true;
      }
    }
    std::size_t room = max_header_ > header_.size() ? max_header_ - header_.size() : 0;
    std::size_t keep = std::min(room, i);
    header_.append(chunk.substr(0, keep));
    if (keep < i) header_truncated_ = true;
  }
  body_lines_ += static_cast<std::uint64_t>(std::count(chunk.begin() + static_cast<std::ptrdiff_t>(i), chunk.end(), '\n'));
  total_ += chunk.size();
}

}  // namespace dirmail::imap
