#pragma once
// The AD domain's account lockout policy, read from the domain head (the object at
// the default naming context): after lockoutThreshold bad passwords within
// lockOutObservationWindow the DC locks the account for lockoutDuration. dirmail's
// login limiter stays below the threshold so that it never locks anyone out.
//
// AD stores both durations as negative counts of 100 ns intervals ("-18000000000" is
// 30 minutes); lockoutDuration = -2^63 (shown as "never" by the tools) means locked
// until an administrator unlocks the account.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/dc_pool.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {

struct DomainLockoutPolicy {
  int lockout_threshold = 0;                   // bad passwords before lockout; 0: never locks
  std::chrono::seconds observation_window{0};  // badPwdCount resets after this long without a failure
  std::chrono::seconds lockout_duration{0};
  bool locked_until_unlocked = false;          // lockoutDuration "never": only an admin unlocks

  bool locks_accounts() const { return lockout_threshold > 0; }
};

// The attributes to ask for on the domain head.
inline constexpr std::string_view lockout_threshold_attribute = "lockoutThreshold";
inline constexpr std::string_view observation_window_attribute = "lockOutObservationWindow";
inline constexpr std::string_view lockout_duration_attribute = "lockoutDuration";
// Longest value read: an int64 in decimal with its sign is 20 characters.
inline constexpr std::size_t max_lockout_policy_value = 24;

// The policy from the domain head's attributes. A missing attribute is AD's default
// of "off" (threshold 0, durations 0); a malformed or out-of-range one is
// protocol_error naming the attribute.
Result<DomainLockoutPolicy> parse_domain_lockout_policy(const LdapEntry& domain_head);

// One AD duration value ("-18000000000") as seconds; never_expires for -2^63.
struct AdDuration {
  std::chrono::seconds seconds{0};
  bool never_expires = false;
};
Result<AdDuration> parse_ad_duration(std::string_view value);

// Reads the policy from `base_dn` (the domain head; empty: the root DSE's
// defaultNamingContext) on one connection, or through the pool (failover included).
Result<DomainLockoutPolicy> read_domain_lockout_policy(LdapConnection& connection, std::string_view base_dn);
Result<DomainLockoutPolicy> read_domain_lockout_policy(DcPool& pool, std::string_view base_dn);

}  // namespace dirmail::directory
