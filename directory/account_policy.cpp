#include "dirmail/directory/account_policy.hpp"

namespace dirmail::directory {

std::optional<StatePolicy> parse_state_policy(std::string_view value) {
  if (value == "allow") return StatePolicy::allow;
  if (value == "accept_mail") return StatePolicy::accept_mail;
  if (value == "refuse_mail") return StatePolicy::refuse_mail;
  return std::nullopt;
}

void apply_state_policy(Account& account, const AccountStatePolicies& policies) {
  StatePolicy policy = StatePolicy::allow;
  switch (account.state) {
    case AccountState::active: policy = StatePolicy::allow; break;
    case AccountState::disabled: policy = policies.disabled; break;
    case AccountState::locked: policy = policies.locked; break;
    case AccountState::expired: policy = policies.expired; break;
    case AccountState::password_expired:
    case AccountState::must_change_password: policy = policies.password_expired; break;
    case AccountState::not_mail_user: policy = StatePolicy::refuse_mail; break;
  }
  account.may_log_in = policy == StatePolicy::allow;
  account.may_receive = policy != StatePolicy::refuse_mail;
}

}  // namespace dirmail::directory
