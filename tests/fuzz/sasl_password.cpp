// Fuzzes the SASL PLAIN and LOGIN decoders (auth/sasl_password.hpp). The input is used
// twice: as the client's base64 text, and as the decoded message (encoded here, so
// the fuzzer reaches the NUL structure without having to spell base64). PLAIN accepts
// exactly "authzid NUL authcid NUL password" with a non-empty authcid and password;
// LOGIN accepts any field without NUL; both refuse text over max_sasl_response.
#include <string>

#include "dirmail/auth/sasl_password.hpp"
#include "dirmail/base/base64.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

// What decoding `message` (the bytes the base64 text stands for) must give.
void check_decoded(std::string_view text, std::string_view message) {
  auto plain = auth::decode_sasl_plain(text);
  auto login = auth::decode_sasl_login_field(text);

  const auto first = message.find('\0');
  const auto second = first == std::string_view::npos ? first : message.find('\0', first + 1);
  const bool three_parts = second != std::string_view::npos && message.find('\0', second + 1) == std::string_view::npos;
  if (three_parts && second > first + 1 && second + 1 < message.size()) {
    FUZZ_CHECK(plain.ok());
    FUZZ_CHECK(plain->authzid == message.substr(0, first));
    FUZZ_CHECK(plain->authcid == message.substr(first + 1, second - first - 1));
    FUZZ_CHECK(plain->password == message.substr(second + 1));
  } else {
    FUZZ_CHECK(!plain.ok() && plain.error().code == ErrorCode::invalid_argument);
  }

  if (first == std::string_view::npos) {
    FUZZ_CHECK(login.ok() && *login == message);
  } else {
    FUZZ_CHECK(!login.ok() && login.error().code == ErrorCode::invalid_argument);
  }
}

void check_text(std::string_view text) {
  if (text.size() > auth::max_sasl_response) {
    auto plain = auth::decode_sasl_plain(text);
    auto login = auth::decode_sasl_login_field(text);
    FUZZ_CHECK(!plain.ok() && plain.error().code == ErrorCode::limit_exceeded);
    FUZZ_CHECK(!login.ok() && login.error().code == ErrorCode::limit_exceeded);
    return;
  }
  auto message = base64_decode(text);
  if (message) {
    check_decoded(text, *message);
    return;
  }
  FUZZ_CHECK(!auth::decode_sasl_plain(text).ok());
  FUZZ_CHECK(!auth::decode_sasl_login_field(text).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);
  check_text(input);
  check_text(base64_encode(input));
  return 0;
}
