#include "dirmail/directory/domain_lockout_policy.hpp"

#include <limits>
#include <optional>
#include <string>

#include "dirmail/base/strings.hpp"

namespace dirmail::directory {

namespace {

constexpr std::uint64_t intervals_per_second = 10'000'000;  // AD counts 100 ns intervals
constexpr int max_threshold = 1'000'000;

Error malformed(std::string_view attribute, std::string_view value, std::string_view why) {
  return make_error(ErrorCode::protocol_error, "domain lockout policy: " + std::string(attribute) + " = \"" +
                                                   escape_control(value.substr(0, max_lockout_policy_value)) +
                                                   "\": " + std::string(why));
}

Result<AdDuration> duration_attribute(const LdapEntry& entry, std::string_view attribute) {
  const auto* values = entry.values(attribute);
  if (values == nullptr || values->empty()) return AdDuration{};
  auto parsed = parse_ad_duration(values->front());
  if (!parsed) return malformed(attribute, values->front(), parsed.error().message);
  return parsed;
}

}  // namespace

Result<AdDuration> parse_ad_duration(std::string_view value) {
  if (value.size() > max_lockout_policy_value) return make_error(ErrorCode::protocol_error, "value too long");
  // "-9223372036854775808": the smallest int64, AD's "never".
  if (value == "-9223372036854775808") return AdDuration{std::chrono::seconds(0), true};
  std::string_view digits = value;
  bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  auto magnitude = parse_decimal(digits, 19);
  if (!magnitude || *magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return make_error(ErrorCode::protocol_error, "not a 64-bit integer");
  // AD writes negative (relative) intervals; 0 is "none". A positive value would be an
  // absolute time, which these attributes never hold.
  if (!negative && *magnitude != 0) return make_error(ErrorCode::protocol_error, "a positive duration");
  // Rounded up: a window of 1.5 s must not be taken for 1 s.
  std::uint64_t seconds = (*magnitude + intervals_per_second - 1) / intervals_per_second;
  return AdDuration{std::chrono::seconds(static_cast<std::int64_t>(seconds)), false};
}

Result<DomainLockoutPolicy> parse_domain_lockout_policy(const LdapEntry& domain_head) {
  DomainLockoutPolicy policy;
  if (const auto* values = domain_head.values(lockout_threshold_attribute); values != nullptr && !values->empty()) {
    const std::string& text = values->front();
    auto threshold = text.size() <= max_lockout_policy_value ? parse_decimal(text, 7) : std::nullopt;
    if (!threshold || *threshold > static_cast<std::uint64_t>(max_threshold))
      return malformed(lockout_threshold_attribute, text, "not a count between 0 and 1000000");
    policy.lockout_threshold = static_cast<int>(*threshold);
  }
  auto window = duration_attribute(domain_head, observation_window_attribute);
  if (!window) return std::move(window).error();
  // "Never" as a window would mean failures are never forgotten.
  policy.observation_window =
      window->never_expires ? std::chrono::seconds(std::numeric_limits<std::int32_t>::max()) : window->seconds;
  auto duration = duration_attribute(domain_head, lockout_duration_attribute);
  if (!duration) return std::move(duration).error();
  policy.lockout_duration = duration->seconds;
  policy.locked_until_unlocked = duration->never_expires;
  return policy;
}

Result<DomainLockoutPolicy> read_domain_lockout_policy(LdapConnection& connection, std::string_view base_dn) {
  std::string base(base_dn);
  if (base.empty()) {
    auto root = connection.root_dse({"defaultNamingContext"});
    if (!root) return std::move(root).error();
    base = root->first("defaultNamingContext");
    if (base.empty())
      return make_error(ErrorCode::not_found, connection.uri() + ": the root DSE names no defaultNamingContext");
  }
  LdapSearch search;
  search.base = base;
  search.scope = LdapScope::base;
  search.filter = "(objectClass=*)";
  search.attributes = {std::string(lockout_threshold_attribute), std::string(observation_window_attribute),
                       std::string(lockout_duration_attribute)};
  search.page_size = 0;
  search.max_entries = 1;
  auto entries = connection.search(search);
  if (!entries) return std::move(entries).error();
  if (entries->empty())
    return make_error(ErrorCode::not_found, connection.uri() + ": no domain head at " + base);
  auto policy = parse_domain_lockout_policy(entries->front());
  if (!policy) return make_error(policy.error().code, connection.uri() + ": " + policy.error().message);
  return policy;
}

Result<DomainLockoutPolicy> read_domain_lockout_policy(DcPool& pool, std::string_view base_dn) {
  std::optional<DomainLockoutPolicy> policy;
  Status outcome = pool.run([&](LdapConnection& connection) -> Status {
    auto read = read_domain_lockout_policy(connection, base_dn);
    if (!read) return std::move(read).error();
    policy = *read;
    return ok_status();
  });
  if (!outcome) return std::move(outcome).error();
  return *policy;
}

}  // namespace dirmail::directory
