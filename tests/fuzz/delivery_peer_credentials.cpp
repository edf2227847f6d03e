// Fuzzes the outbound AUTH credentials file (delivery::parse_peer_credentials,
// PeerCredentials::find). The input is the file.
//
// Checks: errors are invalid_argument/limit_exceeded and name "NAME:LINE"; entries are
// within the limits, hosts lower case and given once, users without blanks, passwords
// without control characters or blanks around them; printed back, the entries parse to
// the same ones; each host finds its own entry; `*` is found for a gateway only, never
// for an MX host.
#include <string>
#include <vector>

#include "dirmail/delivery/peer_credentials.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::delivery;

constexpr std::string_view file_name = "auth.txt";

bool has_control_or_blank_edge(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return s.front() == ' ' || s.back() == ' ';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  auto parsed = parse_peer_credentials(input, file_name);
  if (input.size() > kMaxPeerCredentialsBytes) {
    FUZZ_CHECK(!parsed.ok() && parsed.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.error().code == ErrorCode::invalid_argument || parsed.error().code == ErrorCode::limit_exceeded);
    FUZZ_CHECK(parsed.error().message.starts_with(std::string(file_name) + ":"));
    return 0;
  }
  const PeerCredentials& credentials = *parsed;
  FUZZ_CHECK(credentials.entries().size() <= kMaxPeerCredentialsEntries);
  std::string printed;
  const PeerCredentialsEntry* star = nullptr;
  for (const auto& e : credentials.entries()) {
    FUZZ_CHECK(!e.host.empty() && !fuzz::has_upper_ascii(e.host));
    FUZZ_CHECK(!e.user.empty() && e.user.find_first_of(" \t") == std::string::npos);
    FUZZ_CHECK(!has_control_or_blank_edge(e.user));
    FUZZ_CHECK(!e.password.empty() && !has_control_or_blank_edge(e.password));
    FUZZ_CHECK(e.password.front() != '\t' && e.password.back() != '\t');
    if (e.host == "*") star = &e;
    printed += e.host + " " + e.user + " " + e.password + "\n";
  }
  auto again = parse_peer_credentials(printed, file_name);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->entries().size() == credentials.entries().size());
  for (std::size_t i = 0; i < credentials.entries().size(); ++i) {
    const auto& a = again->entries()[i];
    const auto& b = credentials.entries()[i];
    FUZZ_CHECK(a.host == b.host && a.user == b.user && a.password == b.password);
  }
  for (const auto& e : credentials.entries()) {
    if (e.host == "*") continue;
    FUZZ_CHECK(credentials.find(e.host, true) == &e);
    FUZZ_CHECK(credentials.find(e.host, false) == &e);
  }
  // A host no entry names: `*` for a gateway, nothing for an MX host.
  const std::string unnamed = "unnamed-host.invalid";
  FUZZ_CHECK(credentials.find(unnamed, false) == nullptr ||
             credentials.find(unnamed, false)->host == unnamed);
  if (credentials.find(unnamed, false) == nullptr) FUZZ_CHECK(credentials.find(unnamed, true) == star);
  FUZZ_CHECK(credentials.find("*", false) == nullptr);
  return 0;
}
