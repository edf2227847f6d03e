#include "dirmail/delivery/data_encoder.hpp"

namespace dirmail::delivery {

void DataEncoder::feed(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + chunk.size() / 64 + 2);
  for (char c : chunk) {
    if (c == '\n') {
      if (!after_cr_) out.push_back('\r');
      out.push_back('\n');
      line_start_ = true;
      after_cr_ = false;
      continue;
    }
    if (line_start_ && c == '.') out.push_back('.');
    out.push_back(c);
    line_start_ = false;
    after_cr_ = c == '\r';
  }
}

void DataEncoder::finish(std::string& out) {
  if (!line_start_) out.append(after_cr_ ? "\n" : "\r\n");
  out.append(".\r\n");
  line_start_ = true;
  after_cr_ = false;
}

}  // namespace dirmail::delivery
