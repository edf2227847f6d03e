// Fuzzes the Received: template (smtp.received_template): parsing is total (a template
// or an error with a reason), and a rendered field is one header field whatever the
// template and the values: "Received: " first, CR LF only at the end or before a TAB
// (a fold), no other control character.
#include <string>

#include "dirmail/smtp/received_template.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

void check_field(const std::string& field) {
  FUZZ_CHECK(field.rfind("Received: ", 0) == 0);
  FUZZ_CHECK(field.size() >= 12 && field.compare(field.size() - 2, 2, "\r\n") == 0);
  for (std::size_t i = 0; i + 2 < field.size(); ++i) {
    auto c = static_cast<unsigned char>(field[i]);
    if (c == '\r') {
      FUZZ_CHECK(field[i + 1] == '\n' && field[i + 2] == '\t');  // only a fold
    } else if (c == '\n') {
      FUZZ_CHECK(i > 0 && field[i - 1] == '\r');
    } else {
      FUZZ_CHECK(c >= 0x20 || c == '\t');
      FUZZ_CHECK(c != 0x7f);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_view(data, size);
  // First half: the template; second half: every value (as hostile as the client).
  std::string_view text = input.substr(0, size / 2);
  std::string value(input.substr(size / 2));
  auto parsed = smtp::ReceivedTemplate::parse(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!text.empty() && text.size() <= smtp::max_received_template);
  smtp::ReceivedValues v{value, value, value, value, value, value, value, value};
  check_field(parsed->render(v));
  check_field(parsed->render({}));
  return 0;
}
