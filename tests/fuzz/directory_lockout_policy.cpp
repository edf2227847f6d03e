// Fuzzes parse_domain_lockout_policy and parse_ad_duration
// (dirmail/directory/domain_lockout_policy.hpp), which read the domain head's
// lockoutThreshold, lockOutObservationWindow and lockoutDuration. The input is up to
// three values separated by '\n', in that order. Invariants: a parsed policy has a
// threshold in 0..1000000 and no negative duration; a value the duration parser
// accepts is at most max_lockout_policy_value long, and its seconds, rounded up, cover
// the 100 ns intervals written.
#include <string>
#include <vector>

#include "dirmail/directory/domain_lockout_policy.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail::directory;
  std::string_view input = dirmail::fuzz::as_view(data, size);
  std::vector<std::string> values;
  while (values.size() < 3) {
    std::size_t end = input.find('\n');
    values.emplace_back(input.substr(0, end));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  const char* names[] = {"lockoutThreshold", "lockOutObservationWindow", "lockoutDuration"};
  LdapEntry entry{"DC=corp,DC=example,DC=test", {}};
  for (std::size_t i = 0; i < values.size(); ++i) entry.attributes.push_back({names[i], {values[i]}});

  auto policy = parse_domain_lockout_policy(entry);
  if (policy) {
    FUZZ_CHECK(policy->lockout_threshold >= 0 && policy->lockout_threshold <= 1000000);
    FUZZ_CHECK(policy->observation_window.count() >= 0);
    FUZZ_CHECK(policy->lockout_duration.count() >= 0);
  } else {
    FUZZ_CHECK(!policy.error().message.empty());
  }

  for (const std::string& value : values) {
    auto duration = parse_ad_duration(value);
    if (!duration) continue;
    FUZZ_CHECK(value.size() <= max_lockout_policy_value);
    if (duration->never_expires) continue;
    FUZZ_CHECK(duration->seconds.count() >= 0);
    std::string digits = value.front() == '-' ? value.substr(1) : value;
    // seconds * 10^7 >= the interval count, and less than one second more.
    unsigned long long intervals = std::stoull(digits);
    unsigned long long seconds = static_cast<unsigned long long>(duration->seconds.count());
    FUZZ_CHECK(seconds * 10000000ULL / 10000000ULL == seconds);  // no overflow at these sizes
    FUZZ_CHECK(seconds * 10000000ULL >= intervals);
    FUZZ_CHECK(seconds == 0 || (seconds - 1) * 10000000ULL < intervals);
  }
  return 0;
}
