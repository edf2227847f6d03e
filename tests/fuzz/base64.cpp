// Fuzzes base64 (dirmail/base/base64.hpp), which decodes SASL responses. The input is
// used twice. As bytes: encoding gives padded RFC 4648 text of the right length that
// decodes back to them. As text: decoding accepts exactly the canonical encodings (a
// model decides: alphabet, length, padding, zero pad bits), so an accepted text
// re-encodes to itself: every byte string has one accepted spelling.
#include <string>

#include "dirmail/base/base64.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 4648 §4 without line breaks, and §3.5's canonical form: the bits that padding
// leaves over in the last group must be zero.
bool canonical(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  if (body.find_first_not_of(alphabet) != std::string_view::npos) return false;
  if (pad == 0) return true;
  const auto last = alphabet.find(body.back());
  return pad == 2 ? (last & 0x0f) == 0 : (last & 0x03) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);

  // As bytes.
  const std::string encoded = base64_encode(input);
  FUZZ_CHECK(encoded.size() == (input.size() + 2) / 3 * 4);
  const std::size_t pad = (3 - input.size() % 3) % 3;
  for (std::size_t i = 0; i + pad < encoded.size(); ++i) FUZZ_CHECK(alphabet.find(encoded[i]) != std::string_view::npos);
  FUZZ_CHECK(encoded.compare(encoded.size() - pad, pad, std::string(pad, '=')) == 0);
  FUZZ_CHECK(canonical(encoded));
  auto decoded = base64_decode(encoded);
  FUZZ_CHECK(decoded && *decoded == input);

  // As text.
  auto text = base64_decode(input);
  FUZZ_CHECK(text.ok() == canonical(input));
  if (!text) {
    FUZZ_CHECK(text.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  std::size_t text_pad = 0;
  while (text_pad < input.size() && input[input.size() - 1 - text_pad] == '=') ++text_pad;
  FUZZ_CHECK(text->size() == input.size() / 4 * 3 - text_pad);
  FUZZ_CHECK(base64_encode(*text) == input);
  return 0;
}
