#pragma once
// What an account in a given state may do: the administrator's per-state policy
// (directory.disabled_accounts and its siblings) applied to an Account.
#include <optional>
#include <string_view>

#include "dirmail/directory/directory.hpp"

namespace dirmail::directory {

enum class StatePolicy {
  allow,        // log in and receive mail
  accept_mail,  // no login; mail is still accepted and delivered
  refuse_mail,  // no login; mail is refused (550 5.2.1)
};
std::optional<StatePolicy> parse_state_policy(std::string_view value);

struct AccountStatePolicies {
  StatePolicy disabled = StatePolicy::refuse_mail;
  StatePolicy locked = StatePolicy::accept_mail;
  StatePolicy expired = StatePolicy::refuse_mail;
  StatePolicy password_expired = StatePolicy::accept_mail;  // also "must change password"
};

// Sets account.may_log_in and account.may_receive from account.state.
void apply_state_policy(Account& account, const AccountStatePolicies& policies);

}  // namespace dirmail::directory
