#include "dirmail/directory/ad_account_flags.hpp"

#include <charconv>

namespace dirmail::directory {

std::int64_t unix_to_filetime(std::int64_t unix_seconds) {
  constexpr std::int64_t seconds_1601_to_1970 = 11644473600;
  return (unix_seconds + seconds_1601_to_1970) * 10000000;
}

AccountState ad_account_state(const AdAccountFlags& flags, std::int64_t now_filetime) {
  std::uint32_t all = flags.user_account_control | flags.computed_account_control;
  if (all & uac_account_disable) return AccountState::disabled;
  if (flags.account_expires > 0 && flags.account_expires != ad_never_expires_max &&
      flags.account_expires <= now_filetime)
    return AccountState::expired;
  // AD clears UF_LOCKOUT in the computed value once the lockout duration has passed,
  // while lockoutTime keeps its value until the next logon: trust the computed bit.
  if (flags.computed_account_control & uac_lockout) return AccountState::locked;
  // pwdLastSet = 0 first: AD then also reports the password as expired in the computed
  // flags, but "must change at next logon" is what the administrator set.
  if (flags.pwd_last_set && *flags.pwd_last_set == 0 && !(all & uac_dont_expire_password))
    return AccountState::must_change_password;
  if (flags.computed_account_control & uac_password_expired) return AccountState::password_expired;
  return AccountState::active;
}

std::optional<std::int64_t> parse_ad_integer(std::string_view text) {
  if (text.empty() || text.size() > 24) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace dirmail::directory
