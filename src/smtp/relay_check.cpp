// Which recipients the SMTP service takes: the relay rules (the original's effect.dat,
// relay_rules.hpp) given the client, the envelope sender and AUTH, with the sender and
// the recipient classified from the directory. Every decision is logged with the rule
// that made it.
#include <fmt/format.h>

#include "dirmail/net/retrying_call.hpp"
#include "smtp_session.hpp"

namespace dirmail::smtp {
namespace {

AddressClass class_of(const directory::Recipient& r) {
  switch (r.kind) {
    case directory::RecipientKind::account:
      // Not in the mail-users group: as unknown as an address that does not exist.
      return r.account && r.account->state == directory::AccountState::not_mail_user
                 ? AddressClass::internal_without_account
                 : AddressClass::internal_with_account;
    case directory::RecipientKind::alias: return AddressClass::internal_with_account;
    case directory::RecipientKind::unknown: return AddressClass::internal_without_account;
    case directory::RecipientKind::not_local: return AddressClass::external;
  }
  return AddressClass::external;
}

}  // namespace

const RelayRules& SmtpSession::relay_rules() const {
  static const RelayRules none;
  return options_->relay_rules ? *options_->relay_rules : none;
}

net::awaitable<bool> SmtpSession::relay_permits(const std::string& address, const directory::Recipient& recipient) {
  if (!sender_class_) {
    if (sender_path_.null()) {
      sender_class_ = AddressClass::external;
    } else {
      auto* dir = service_->directory;
      auto lookup = [dir, sender = sender_] { return dir->resolve_recipient(sender); };  // named: see BlockingPool::run
      auto resolved = co_await net::run_with_retry(*service_->pool, options_->directory_retry, lookup);
      if (!resolved && resolved.error().code != ErrorCode::invalid_argument) {
        line(log::Record::session).with("from", sender_).with("error", resolved.error().message)
            .warn("directory lookup failed");
        reply(fmt::format("451 4.4.3 <{}>: Directory unavailable, try again later", address));
        co_return false;
      }
      sender_class_ = resolved ? class_of(*resolved) : AddressClass::external;
    }
  }
  RelayQuery query{IpAddress::parse(conn_.peer_address), EnvelopeSender::from_path(sender_path_), *sender_class_,
                   class_of(recipient), !auth_user_.empty()};
  RelayDecision decision = relay_rules().decide(query);
  if (decision.accepted() && query.recipient_class == AddressClass::external)
    line(log::Record::accept).with("from", sender_).with("to", address).with("rule", decision.decided_by())
        .info("relay permitted");
  if (decision.accepted()) co_return true;
  line(log::Record::accept).with("from", sender_).with("to", address).with("verdict", to_string(decision.verdict))
      .with("matrix", to_string(decision.matrix)).with("rule", decision.decided_by()).info("recipient refused by the relay rules");
  switch (decision.verdict) {
    case RelayVerdict::unknown_recipient:
      reply(fmt::format("550 5.1.1 <{}>: Recipient address rejected: User unknown", address));
      break;
    case RelayVerdict::relay_denied:
      reply(fmt::format("554 5.7.1 <{}>: Relay access denied", address));
      break;
    case RelayVerdict::sender_refused:
      reply(fmt::format("550 5.7.1 <{}>: Sender address rejected: not accepted from this client", sender_));
      break;
    case RelayVerdict::refused_by_rule:
      reply(fmt::format("550 5.7.1 <{}>: Refused by the access rules", address));
      break;
    case RelayVerdict::accept:
      break;
  }
  // A refused recipient is an error of the session, as Postfix counts it: a client
  // probing addresses (harvesting, dictionary attacks) is cut off at max_errors.
  ++errors_;
  co_return false;
}

}  // namespace dirmail::smtp
