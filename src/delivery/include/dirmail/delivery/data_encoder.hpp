#pragma once
// Turns message bytes into the DATA form (RFC 5321 §4.5.2): every line ends in
// CR LF (a bare LF gets its CR), a '.' starting a line is doubled, and the data ends
// with CR LF "." CR LF. Works chunk by chunk, so a message is never held whole.
#include <string>
#include <string_view>

namespace dirmail::delivery {

class DataEncoder {
 public:
  // Appends the encoded form of `chunk` to `out`.
  void feed(std::string_view chunk, std::string& out);
  // Appends the end of the data (a CR LF first when the last line lacks one).
  void finish(std::string& out);

 private:
  bool line_start_ = true;
  bool after_cr_ = false;
};

}  // namespace dirmail::delivery
