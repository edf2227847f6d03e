// Fuzzes the POP3 DotStuffer (RETR and TOP bodies). Input: one mode byte (bit 7 set:
// TOP with `byte & 7` body lines; clear: the whole message), one chunking seed byte
// (0: the message in one piece), then the stored message bytes. The message is fed
// in pseudo-random chunks (empty ones included) and the output is checked against a
// one-piece run, a line-by-line model and the wire invariants of RFC 1939 §3.
#include <optional>
#include <string>

#include "dirmail/pop3/dot_stuffer.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

struct Stuffed {
  std::string out;
  bool stopped = false;  // some feed() returned false
};

Stuffed run_in_chunks(std::string_view message, std::optional<std::uint64_t> body_lines, std::uint8_t seed) {
  pop3::DotStuffer stuffer(body_lines);
  Stuffed result;
  std::uint32_t state = seed * 2654435761u + 1;  // xorshift32 needs a non-zero state
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t len = message.size() - pos;
    if (seed != 0) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      len = std::min<std::size_t>(len, state % 9);  // 0..8 bytes: splits CR LF and ".." apart
    }
    const std::size_t before = result.out.size();
    const bool more = stuffer.feed(message.substr(pos, len), result.out);
    if (result.stopped) {
      // Once TOP has what it wants, nothing more is written.
      FUZZ_CHECK(!more);
      FUZZ_CHECK(result.out.size() == before);
    }
    if (!more) result.stopped = true;
    pos += len;
  }
  if (!result.stopped) result.stopped = !stuffer.feed({}, result.out);
  stuffer.finish(result.out);
  return result;
}

// What the stuffer must produce, one line at a time.
Stuffed model(std::string_view message, std::optional<std::uint64_t> body_lines) {
  Stuffed result;
  bool in_body = false;
  std::uint64_t body_sent = 0;
  std::size_t pos = 0;
  while (pos < message.size() && !result.stopped) {
    const auto nl = message.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? message.size() : nl + 1;
    const std::string_view line = message.substr(pos, end - pos);
    pos = end;
    if (line.front() == '.') result.out += '.';
    result.out += line;
    if (nl == std::string_view::npos) break;
    if (in_body) {
      ++body_sent;
      if (body_lines && body_sent >= *body_lines) result.stopped = true;
    } else if (line.find_first_not_of('\r') == line.size() - 1) {  // only CRs before the LF
      in_body = true;
      if (body_lines && *body_lines == 0) result.stopped = true;
    }
  }
  if (!result.out.empty() && result.out.back() != '\n') result.out += "\r\n";
  result.out += ".\r\n";
  return result;
}

void check_wire_form(const std::string& out) {
  FUZZ_CHECK(out.size() >= 3 && out.compare(out.size() - 3, 3, ".\r\n") == 0);
  // The terminator is the only line starting with a lone '.'.
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto nl = out.find('\n', pos);
    FUZZ_CHECK(nl != std::string::npos);  // the output ends with a whole line
    const bool last = nl + 1 == out.size();
    if (out[pos] == '.' && !last) FUZZ_CHECK(nl > pos + 1 && out[pos + 1] == '.');
    if (last) FUZZ_CHECK(nl == pos + 2 && out[pos] == '.' && out[pos + 1] == '\r');
    pos = nl + 1;
  }
  const auto terminator = out.find("\r\n.\r\n");
  FUZZ_CHECK(terminator == std::string::npos || terminator + 5 == out.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t mode = fuzz::take_byte(input);
  const std::uint8_t seed = fuzz::take_byte(input);
  const std::string_view message = input;
  std::optional<std::uint64_t> body_lines;
  if (mode & 0x80) body_lines = mode & 7;

  const Stuffed chunked = run_in_chunks(message, body_lines, seed);
  const Stuffed whole = run_in_chunks(message, body_lines, 0);
  const Stuffed expected = model(message, body_lines);
  FUZZ_CHECK(chunked.out == whole.out);
  FUZZ_CHECK(chunked.out == expected.out);
  FUZZ_CHECK(chunked.stopped == expected.stopped);
  if (!body_lines) FUZZ_CHECK(!chunked.stopped);
  check_wire_form(chunked.out);
  return 0;
}
