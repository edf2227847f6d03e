// Fuzzes IMS.CTL's DeleteAttachments (features::strip_attachments, GMime underneath).
//
// Checks: no crash or leak on any input; a result with nothing removed is the input
// byte for byte; a stripped message has nothing more to remove and is stable.
#include <string>

#include "dirmail/features/attachment_stripper.hpp"
#include "fuzz_check.hpp"

using namespace dirmail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message = fuzz::as_view(data, size);
  auto r = features::strip_attachments(message);
  if (!r) {
    FUZZ_CHECK(r.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  if (r->removed == 0) {
    FUZZ_CHECK(r->bytes == message);
    return 0;
  }
  auto again = features::strip_attachments(r->bytes);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->removed == 0);
  return 0;
}
