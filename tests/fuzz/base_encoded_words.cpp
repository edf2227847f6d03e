// Fuzzes decode_encoded_words (encoded_words.hpp) and through it convert_to_utf8
// (charset_conversion.hpp). Input: a header field value.
// The result is always valid UTF-8, bounded by the input's size, and a value with no
// "=?" in it only has its invalid bytes replaced.
#include <string>

#include "dirmail/base/encoded_words.hpp"
#include "dirmail/base/strings.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view input = fuzz::as_view(data, size);
  const std::string out = decode_encoded_words(input);
  FUZZ_CHECK(valid_utf8(out));
  FUZZ_CHECK(out.size() <= 5 * input.size() + 16);  // 3 bytes per input byte, 16 per word at most
  if (input.find("=?") == std::string_view::npos && valid_utf8(input)) FUZZ_CHECK(out == input);
  return 0;
}
