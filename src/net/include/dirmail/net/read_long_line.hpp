#pragma once
// One whole line from a LineReader whose piece limit is shorter than the line may
// be: a SASL response (a Kerberos ticket runs to kilobytes) on a protocol whose
// command lines are short. limit_exceeded (after the rest of the line is read and
// dropped) when the line is longer than `max`.
#include <string>

#include "dirmail/net/line_reader.hpp"

namespace dirmail::net {

inline awaitable<Result<std::string>> read_long_line(LineReader& reader, std::size_t max,
                                                     std::chrono::steady_clock::duration timeout) {
  std::string text;
  bool too_long = false;
  for (;;) {
    auto got = co_await reader.read_line(timeout);
    if (!got) co_return std::move(got).error();
    if (!too_long && text.size() + got->text.size() <= max)
      text.append(got->text);
    else
      too_long = true;
    if (got->complete) break;
  }
  if (too_long) co_return make_error(ErrorCode::limit_exceeded, "line too long");
  co_return text;
}

}  // namespace dirmail::net
