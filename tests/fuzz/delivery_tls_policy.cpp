// Fuzzes the outbound TLS policy table (delivery::parse_tls_policy, parse_tls_policy_list).
// Byte 0 bit 0: the rest is a file (0) or a list of LF-separated entries (1); bits 1-2:
// the fallback mode (delivery.tls).
//
// Checks: errors are invalid_argument/limit_exceeded and name "NAME:LINE" or
// "NAME[INDEX]"; entries are lower case, within the limits, never implicit, and print
// back to text that parses to the same entries; find() is the first match in order and
// mode_for() its mode, else the fallback.
#include <string>
#include <vector>

#include "dirmail/delivery/gateway_table.hpp"
#include "dirmail/delivery/tls_policy.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::delivery;

constexpr std::string_view file_name = "tls.txt";
constexpr std::string_view list_name = "delivery.tls_policy";

void check_error(const Error& error, std::string_view name) {
  FUZZ_CHECK(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::limit_exceeded);
  FUZZ_CHECK(error.message.starts_with(std::string(name)));
}

void check_policy(const TlsPolicy& policy, TlsMode fallback) {
  FUZZ_CHECK(policy.fallback() == fallback);
  FUZZ_CHECK(policy.entries().size() <= kMaxTlsPolicyEntries);
  std::string printed;
  for (const auto& e : policy.entries()) {
    FUZZ_CHECK(!e.pattern.empty() && e.pattern.size() <= 253);
    FUZZ_CHECK(!fuzz::has_upper_ascii(e.pattern));
    FUZZ_CHECK(e.mode != TlsMode::implicit);
    printed += e.pattern + " " + std::string(to_string(e.mode)) + "\n";
  }
  // Printed back, the entries parse to the same table.
  auto again = parse_tls_policy(printed, file_name, fallback);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->entries().size() == policy.entries().size());
  for (std::size_t i = 0; i < policy.entries().size(); ++i) {
    FUZZ_CHECK(again->entries()[i].pattern == policy.entries()[i].pattern);
    FUZZ_CHECK(again->entries()[i].mode == policy.entries()[i].mode);
  }
  // A domain made from an entry's pattern finds that entry or an earlier one.
  for (std::size_t i = 0; i < policy.entries().size() && i < 50; ++i) {
    std::string domain = policy.entries()[i].pattern;
    for (char& c : domain)
      if (c == '*') c = 'x';
    const TlsPolicyEntry* found = policy.find(domain);
    FUZZ_CHECK(found != nullptr);
    FUZZ_CHECK(found <= &policy.entries()[i]);
    FUZZ_CHECK(policy.mode_for(domain) == found->mode);
    for (const TlsPolicyEntry* e = policy.entries().data(); e < found; ++e)
      FUZZ_CHECK(!gateway_pattern_matches(e->pattern, domain));
  }
  // A domain no pattern can match (no entry is "*"-only there) gets the fallback.
  const TlsPolicyEntry* none = policy.find("\x01");
  FUZZ_CHECK(policy.mode_for("\x01") == (none != nullptr ? none->mode : fallback));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const std::uint8_t control = fuzz::take_byte(input);
  const TlsMode modes[] = {TlsMode::off, TlsMode::opportunistic, TlsMode::required, TlsMode::opportunistic};
  const TlsMode fallback = modes[(control >> 1) & 3];

  if (control & 1) {
    std::vector<std::string> entries;
    std::string_view rest = input;
    while (!rest.empty() && entries.size() < 200) entries.emplace_back(fuzz::take_field(rest, '\n'));
    auto policy = parse_tls_policy_list(entries, list_name, fallback);
    if (!policy.ok()) {
      check_error(policy.error(), list_name);
      return 0;
    }
    check_policy(*policy, fallback);
    return 0;
  }

  auto policy = parse_tls_policy(input, file_name, fallback);
  if (input.size() > kMaxTlsPolicyBytes) {
    FUZZ_CHECK(!policy.ok() && policy.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (!policy.ok()) {
    check_error(policy.error(), file_name);
    return 0;
  }
  check_policy(*policy, fallback);
  return 0;
}
