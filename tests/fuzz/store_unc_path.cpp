// Fuzzes share_url (UNC path or smb:// URL → normalised smb:// URL).
//
// Properties: an accepted path gives a URL that is its own normal form (share_url of
// it answers the same), starts with smb://, has a server and a share, no empty, "." or
// ".." component, no '%', no control character, and fits the size limit; every refusal
// is invalid_argument.
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/store/unc_path.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view input = fuzz::as_view(data, size);
  auto url = store::share_url(input);
  if (!url) {
    FUZZ_CHECK(url.error().code == ErrorCode::invalid_argument);
    return 0;
  }
  const std::string& out = *url;
  FUZZ_CHECK(out.starts_with("smb://"));
  FUZZ_CHECK(out.size() <= store::kMaxSharePathBytes + 16);
  FUZZ_CHECK(out.find('%') == std::string::npos);
  FUZZ_CHECK(out.find('\\') == std::string::npos);
  for (char c : out) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  const auto parts = split(std::string_view(out).substr(6), '/');
  FUZZ_CHECK(parts.size() >= 2);
  for (auto part : parts) FUZZ_CHECK(!part.empty() && part != "." && part != "..");
  auto again = store::share_url(out);
  FUZZ_CHECK(again.ok() && *again == out);
  // The UNC form of it leads back to it.
  auto via_unc = store::share_url(store::unc_of(out));
  FUZZ_CHECK(via_unc.ok() && *via_unc == out);
  return 0;
}
