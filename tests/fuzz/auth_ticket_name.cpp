// Fuzzes the reader of a ticket's service name in the client's first GSSAPI token
// (auth/kerberos_ticket_name.hpp): any input either gives "c1/c2...@REALM" made of
// printable components without '/' or '@' inside them, or an error; over the limit,
// always limit_exceeded.
#include <string>

#include "dirmail/auth/kerberos_ticket_name.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view input = fuzz::as_view(data, size);
  auto name = auth::ticket_service_principal(input);
  if (input.size() > auth::max_gssapi_token) {
    FUZZ_CHECK(!name.ok() && name.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (!name.ok()) {
    FUZZ_CHECK(name.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  const std::string& text = *name;
  const auto at = text.find('@');
  FUZZ_CHECK(at != std::string::npos && at > 0 && at + 1 < text.size());
  FUZZ_CHECK(text.find('@', at + 1) == std::string::npos);
  FUZZ_CHECK(text.front() != '/' && text[at - 1] != '/' && text.find("//") == std::string::npos);
  for (char c : text) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
  return 0;
}
