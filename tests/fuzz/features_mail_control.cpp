// Fuzzes the IMS.CTL parser (features::parse_mail_control) and the text decoding
// (to_utf8) used for its values and AUTORPLY.TXT.
//
// Checks: errors are invalid_argument/limit_exceeded and name a line that exists (or
// the size); a forward has an address; warnings name a line; to_utf8 always returns
// valid UTF-8 and leaves valid UTF-8 without ESC unchanged.
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/features/mail_control.hpp"
#include "fuzz_check.hpp"

using namespace dirmail;
using namespace dirmail::features;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_view(data, size);
  auto control = parse_mail_control(text);
  if (!control) {
    FUZZ_CHECK(control.error().code == ErrorCode::invalid_argument || control.error().code == ErrorCode::limit_exceeded);
    FUZZ_CHECK(control.error().message.starts_with("line ") || control.error().message.starts_with("IMS.CTL"));
  } else {
    if (control->forward) FUZZ_CHECK(!control->forward->to.empty());
    for (const auto& w : control->warnings) FUZZ_CHECK(w.starts_with("line "));
  }
  std::string utf8 = to_utf8(text.substr(0, 4096));
  FUZZ_CHECK(valid_utf8(utf8));
  if (valid_utf8(text.substr(0, 4096)) && text.substr(0, 4096).find('\x1b') == std::string_view::npos)
    FUZZ_CHECK(utf8 == text.substr(0, 4096));
  return 0;
}
