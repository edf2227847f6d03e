#pragma once
// One password login under the login limiter, as the protocol sessions run it:
//   GuardedLogin guard(limiter, client_ip, login);
//   co_await pause(guard.delay());             // on the session's timer, never blocking
//   if (!guard.may_check()) -> the protocol's generic failure (log guard.refusal())
//   auto verified = verify(...);  guard.record(verified);
// limiter may be null (no limiting); client_ip empty: not counted by address.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/auth/login_limiter.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"

namespace dirmail::auth {

// The address a client's failures are counted under: empty (not counted) for a
// loopback client unless limit_loopback.
inline std::string limiter_address(std::string_view peer, bool peer_is_loopback, bool limit_loopback) {
  return peer_is_loopback && !limit_loopback ? std::string() : std::string(peer);
}

class GuardedLogin {
 public:
  GuardedLogin(LoginLimiter* limiter, std::string client_ip, std::string_view login);

  std::chrono::milliseconds delay() const { return admission_.delay; }
  bool may_check() const { return admission_.check_password(); }
  std::string_view refusal() const { return to_string(admission_.refusal); }

  // Counts a wrong password (or unknown login) against the address and the account;
  // a success clears the account's count; a temporary failure counts nothing.
  void record(const Result<std::optional<directory::Account>>& verified);

  // The limiter's key for a login: lower case, without "@domain" (AD names are
  // unique across the mail domains).
  static std::string account_key(std::string_view login);

 private:
  LoginLimiter* limiter_;
  std::string ip_;
  std::string account_;
  LoginAdmission admission_;
};

}  // namespace dirmail::auth
