// Fuzzes parse_smb_credentials (smbclient's credentials file format).
//
// Properties: accepted credentials have a user name, no control character in any
// value; refusals are invalid_argument and never quote the password.
#include <string>

#include "dirmail/store/smb_credentials.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view input = fuzz::as_view(data, size);
  auto parsed = store::parse_smb_credentials(input, "creds");
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == ErrorCode::invalid_argument);
    FUZZ_CHECK(parsed.error().message.starts_with("creds"));
    // A line is never quoted back: only keys, cut short, and line numbers.
    FUZZ_CHECK(parsed.error().message.size() < 300);
    return 0;
  }
  FUZZ_CHECK(input.size() <= store::kMaxSmbCredentialsBytes);
  FUZZ_CHECK(!parsed->username.empty());
  for (const std::string* value : {&parsed->username, &parsed->password, &parsed->domain})
    for (char c : *value) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  return 0;
}
