#include "dirmail/pop3/dot_stuffer.hpp"

namespace dirmail::pop3 {

bool DotStuffer::feed(std::string_view chunk, std::string& out) {
  if (done_) return false;
  if (body_lines_ && *body_lines_ == 0 && in_body_) {
    done_ = true;
    return false;
  }
  for (char c : chunk) {
    if (line_start_) {
      if (c == '.') out.push_back('.');
      line_start_ = false;
      current_line_empty_ = true;
    }
    out.push_back(c);
    if (c == '\n') {
      line_start_ = true;
      if (in_body_) {
        ++body_sent_;
        if (body_lines_ && body_sent_ >= *body_lines_) {
          done_ = true;
          return false;
        }
      } else if (current_line_empty_) {
        in_body_ = true;  // the empty line between header and body
        if (body_lines_ && *body_lines_ == 0) {
          done_ = true;
          return false;
        }
      }
    } else if (c != '\r') {
      current_line_empty_ = false;
    }
  }
  return true;
}

void DotStuffer::finish(std::string& out) {
  if (!line_start_) out.append("\r\n");
  out.append(".\r\n");
}

}  // namespace dirmail::pop3
