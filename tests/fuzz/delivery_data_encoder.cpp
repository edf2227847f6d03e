// Fuzzes the outbound client's DATA encoder. Input: one chunking seed byte (0: the
// message in one piece), then the message bytes. Checks: the result does not depend
// on how the message is cut; every line ends in CR LF; the only line that is a lone
// "." is the last; undoing the stuffing gives back the message with bare LFs as CR LF.
#include <string>

#include "dirmail/delivery/data_encoder.hpp"
#include "fuzz_check.hpp"

using namespace dirmail;

namespace {

std::string encode(std::string_view message, std::uint8_t seed) {
  delivery::DataEncoder encoder;
  std::string out;
  std::uint32_t state = seed * 2654435761u + 1;
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t len = message.size() - pos;
    if (seed != 0) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      len = std::min<std::size_t>(len, state % 9);
    }
    encoder.feed(message.substr(pos, len), out);
    pos += len;
  }
  encoder.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t seed = fuzz::take_byte(input);
  const std::string out = encode(input, seed);
  FUZZ_CHECK(out == encode(input, 0));
  FUZZ_CHECK(out.size() >= 3 && out.compare(out.size() - 3, 3, ".\r\n") == 0);

  // What the receiving server rebuilds (RFC 5321 §4.5.2), line by line.
  std::string unstuffed;
  std::size_t pos = 0;
  bool ended = false;
  while (pos < out.size()) {
    FUZZ_CHECK(!ended);
    const auto nl = out.find('\n', pos);
    FUZZ_CHECK(nl != std::string::npos && nl > pos && out[nl - 1] == '\r');
    std::string_view line(out.data() + pos, nl + 1 - pos);
    if (line == ".\r\n") {
      ended = true;
    } else {
      if (line.front() == '.') {
        FUZZ_CHECK(line.size() > 1 && line[1] == '.');
        line.remove_prefix(1);
      }
      unstuffed.append(line);
    }
    pos = nl + 1;
  }
  FUZZ_CHECK(ended);
  // The input with every bare LF made CR LF and a final line end added.
  std::string expected;
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] == '\n' && (i == 0 || input[i - 1] != '\r')) expected += '\r';
    expected += input[i];
  }
  if (!expected.empty() && expected.back() != '\n') expected += expected.back() == '\r' ? "\n" : "\r\n";
  FUZZ_CHECK(unstuffed == expected);
  return 0;
}
