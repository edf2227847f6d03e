// Fuzzes MessageScanner (message_scanner.hpp), which finds a stored message's header
// for FETCH. Input: one byte for the header limit (byte * 4), one chunking seed byte
// (0: the message in one piece), then the message. Fed in pseudo-random chunks, the
// scanner must give what a one-pass model gives: the header ends after the first line
// holding nothing but CRs; the kept header is its prefix, cut at the limit.
#include <algorithm>
#include <string>

#include "dirmail/imap/message_scanner.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

imap::MessageScanner scan_in_chunks(std::string_view message, std::size_t limit, std::uint8_t seed) {
  imap::MessageScanner scanner(limit);
  std::uint32_t state = seed * 2654435761u + 1;  // xorshift32 needs a non-zero state
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t len = message.size() - pos;
    if (seed != 0) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      len = std::min<std::size_t>(len, state % 9);  // 0..8 bytes: splits CR LF CR LF apart
    }
    scanner.feed(message.substr(pos, len));
    pos += len;
  }
  scanner.feed({});
  return scanner;
}

struct Model {
  bool complete = false;
  std::size_t header_size = 0;
};

Model model(std::string_view message) {
  std::size_t line_start = 0;
  for (;;) {
    const auto lf = message.find('\n', line_start);
    if (lf == std::string_view::npos) return {false, message.size()};
    const std::string_view line = message.substr(line_start, lf - line_start);
    if (line.find_first_not_of('\r') == std::string_view::npos) return {true, lf + 1};
    line_start = lf + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message = fuzz::as_view(data, size);
  const std::size_t limit = std::size_t{fuzz::take_byte(message)} * 4;
  const std::uint8_t seed = fuzz::take_byte(message);

  const auto scanner = scan_in_chunks(message, limit, seed);
  const Model expected = model(message);
  FUZZ_CHECK(scanner.total_size() == message.size());
  FUZZ_CHECK(scanner.header_complete() == expected.complete);
  FUZZ_CHECK(scanner.header_size() == expected.header_size);
  FUZZ_CHECK(scanner.body_size() == message.size() - expected.header_size);
  const auto body = message.substr(expected.header_size);
  FUZZ_CHECK(scanner.body_lines() == static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n')));
  const std::size_t kept = std::min(expected.header_size, limit);
  FUZZ_CHECK(scanner.header() == message.substr(0, kept));
  FUZZ_CHECK(scanner.header_truncated() == (expected.header_size > limit));

  // Chunking changes nothing.
  const auto whole = scan_in_chunks(message, limit, 0);
  FUZZ_CHECK(whole.header() == scanner.header() && whole.header_size() == scanner.header_size() &&
             whole.body_lines() == scanner.body_lines() && whole.header_truncated() == scanner.header_truncated());
  return 0;
}
