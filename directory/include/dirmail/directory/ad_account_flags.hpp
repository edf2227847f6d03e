#pragma once
// An AD account's state from the attributes AD keeps it in: userAccountControl,
// msDS-User-Account-Control-Computed (lockout and password expiry, which AD computes
// from the domain policy), accountExpires and pwdLastSet.
#include <cstdint>
#include <optional>
#include <string_view>

#include "dirmail/directory/directory.hpp"

namespace dirmail::directory {

inline constexpr std::uint32_t uac_account_disable = 0x2;
inline constexpr std::uint32_t uac_lockout = 0x10;
inline constexpr std::uint32_t uac_dont_expire_password = 0x10000;
inline constexpr std::uint32_t uac_password_expired = 0x800000;

// AD's "never" values of accountExpires.
inline constexpr std::int64_t ad_never_expires_max = 0x7FFFFFFFFFFFFFFF;

struct AdAccountFlags {
  std::uint32_t user_account_control = 0;
  std::uint32_t computed_account_control = 0;  // msDS-User-Account-Control-Computed
  std::int64_t account_expires = 0;            // FILETIME (100 ns since 1601); 0 or max: never
  std::optional<std::int64_t> pwd_last_set;    // FILETIME; 0: must change at next logon
  std::int64_t lockout_time = 0;               // FILETIME of the lockout; 0: not locked
};

// Seconds since the Unix epoch as a FILETIME.
std::int64_t unix_to_filetime(std::int64_t unix_seconds);

// The state, most severe first: disabled, expired, locked, must change, password expired.
AccountState ad_account_state(const AdAccountFlags& flags, std::int64_t now_filetime);

// A decimal attribute value ("-1", "132456789012345678"); nullopt if it is not one.
std::optional<std::int64_t> parse_ad_integer(std::string_view text);

}  // namespace dirmail::directory
