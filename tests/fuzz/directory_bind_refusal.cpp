// Fuzzes parse_bind_refusal (dirmail/directory/ldap_connection.hpp), which reads the
// diagnostic message a server sends with a refused bind. Byte 0 even: the rest is the
// message. Byte 0 odd: the rest (with every 'd' and 'D' made '_', so that it holds no
// "data" word, and cut to 200 bytes) is followed by ", data <code>, v4563" with the
// code byte 0 picks. Invariants: nothing past max_bind_diagnostic changes the answer;
// with no "data " word in what is read the answer is bad_credentials; an appended AD
// code is always found; every answer has a name.
#include <array>
#include <string>

#include "dirmail/directory/ldap_connection.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using directory::BindRefusal;

struct Code {
  const char* text;
  BindRefusal refusal;
};
constexpr std::array<Code, 9> kCodes{{
    {"525", BindRefusal::no_such_user},
    {"52e", BindRefusal::bad_credentials},
    {"530", BindRefusal::logon_hours},
    {"531", BindRefusal::workstation},
    {"532", BindRefusal::password_expired},
    {"533", BindRefusal::disabled},
    {"701", BindRefusal::account_expired},
    {"773", BindRefusal::must_change_password},
    {"775", BindRefusal::locked},
}};

bool has_data_word(std::string_view text) {
  for (std::size_t i = 0; i + 5 <= text.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; k < 5 && match; ++k) {
      char c = text[i + k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      match = c == "data "[k];
    }
    if (match) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t mode = fuzz::take_byte(input);

  if (mode % 2 == 1) {
    const Code& code = kCodes[(mode >> 1) % kCodes.size()];
    std::string message(input.substr(0, 200));
    for (char& c : message)
      if (c == 'd' || c == 'D') c = '_';
    message += ", data ";
    message += code.text;
    message += ", v4563";
    FUZZ_CHECK(directory::parse_bind_refusal(message) == code.refusal);
    return 0;
  }

  const BindRefusal refusal = directory::parse_bind_refusal(input);
  FUZZ_CHECK(!directory::to_string(refusal).empty());
  const std::string_view read = input.substr(0, directory::max_bind_diagnostic);
  FUZZ_CHECK(directory::parse_bind_refusal(read) == refusal);
  if (!has_data_word(read)) FUZZ_CHECK(refusal == BindRefusal::bad_credentials);
  return 0;
}
