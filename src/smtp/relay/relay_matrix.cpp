#include "relay_matrix.hpp"

namespace dirmail::smtp {

MatrixChoice matrix_for(RelayAction action) {
  switch (action) {
    case RelayAction::allow: return {RelayMatrix::accept_all, true};
    case RelayAction::deny: return {RelayMatrix::refuse_all, false};
    case RelayAction::default_matrix: return {RelayMatrix::default_rules, true};
    case RelayAction::norelay: return {RelayMatrix::norelay, true};
    case RelayAction::norelay_refuse_auth: return {RelayMatrix::norelay, false};
    case RelayAction::norelay_ip_over_auth: return {RelayMatrix::norelay, false};
    case RelayAction::only: return {RelayMatrix::default_rules, true};
  }
  return {RelayMatrix::refuse_all, false};
}

MatrixCell relay_cell(RelayMatrix matrix, AddressClass sender, AddressClass recipient, bool authenticated) {
  using enum AddressClass;
  if (matrix == RelayMatrix::refuse_all) return {RelayVerdict::refused_by_rule, "a \"false\" rule refuses this source"};
  // Column N of every matrix: the address does not exist, whoever asks.
  if (recipient == internal_without_account) return {RelayVerdict::unknown_recipient, "no such local address"};
  if (authenticated) return {RelayVerdict::accept, "authenticated session"};
  if (matrix == RelayMatrix::accept_all) return {RelayVerdict::accept, "the rule accepts everything from this source"};

  // Row N: a sender in one of our domains that does not exist there (anti-spoofing).
  if (sender == internal_without_account)
    return {RelayVerdict::sender_refused, "sender in a local domain without an account"};
  if (matrix == RelayMatrix::only_unlisted) {
    if (recipient == external) return {RelayVerdict::relay_denied, "relay from a source the \"only\" rule does not list"};
    if (sender == internal_with_account)
      return {RelayVerdict::sender_refused, "local sender from a source the \"only\" rule does not list"};
    return {RelayVerdict::accept, "external sender to a local address"};
  }
  if (recipient == internal_with_account) return {RelayVerdict::accept, "mail to a local address"};
  // recipient external: relay.
  if (matrix == RelayMatrix::norelay) return {RelayVerdict::relay_denied, "the rule allows no relay (norelay)"};
  if (sender == internal_with_account) return {RelayVerdict::accept, "relay for a local sender with an account"};
  return {RelayVerdict::relay_denied, "relay needs a local sender with an account, or AUTH"};
}

}  // namespace dirmail::smtp
