// Fuzzes may_apply_gpo (dirmail/directory/gpo_security_filter.hpp), which reads a GPO
// container's nTSecurityDescriptor as the DC sends it. The input is the descriptor.
// Invariants: a malformed descriptor is invalid_argument, saying so; whether it is
// malformed, and the answer, do not depend on the token or the order of its SIDs;
// sid_text reads any bytes.
#include <string>
#include <vector>

#include "dirmail/directory/gpo_security_filter.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  using namespace dirmail::directory;
  const std::string_view descriptor = fuzz::as_view(data, size);
  const std::string computers("\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00\x09\x48\xb9\x2a\xe9\x08\x6a\xcf\xef\x47\xb9\x7b\x03\x02\x00\x00", 28);
  const std::vector<std::string> token{everyone_sid(), authenticated_users_sid(), computers};
  const std::vector<std::string> reversed(token.rbegin(), token.rend());

  auto answer = may_apply_gpo(descriptor, token);
  auto again = may_apply_gpo(descriptor, reversed);
  FUZZ_CHECK(answer.ok() == again.ok());
  if (!answer) {
    FUZZ_CHECK(answer.error().code == ErrorCode::invalid_argument);
    FUZZ_CHECK(answer.error().message.starts_with("malformed security descriptor"));
    return 0;
  }
  FUZZ_CHECK(*answer == *again);
  auto nobody = may_apply_gpo(descriptor, std::vector<std::string>{});
  FUZZ_CHECK(nobody.ok());
  (void)sid_text(descriptor);
  return 0;
}
