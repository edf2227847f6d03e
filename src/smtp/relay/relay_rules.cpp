// The rule set: first match in file order, then the matrix its action names.
#include "dirmail/smtp/relay_rules.hpp"

#include "dirmail/base/strings.hpp"
#include "relay_matrix.hpp"

namespace dirmail::smtp {

std::string_view to_string(RelayMatrix matrix) {
  switch (matrix) {
    case RelayMatrix::default_rules: return "I default";
    case RelayMatrix::accept_all: return "II true";
    case RelayMatrix::refuse_all: return "III false";
    case RelayMatrix::norelay: return "IV norelay";
    case RelayMatrix::only_unlisted: return "V only";
  }
  return "?";
}

std::string_view to_string(RelayVerdict verdict) {
  switch (verdict) {
    case RelayVerdict::accept: return "accept";
    case RelayVerdict::refused_by_rule: return "refused_by_rule";
    case RelayVerdict::unknown_recipient: return "unknown_recipient";
    case RelayVerdict::sender_refused: return "sender_refused";
    case RelayVerdict::relay_denied: return "relay_denied";
  }
  return "?";
}

std::string RelayDecision::decided_by() const {
  if (rule == nullptr) return "default matrix";
  std::string where = rule->origin + " \"" + escape_control(rule->text) + "\"";
  if (!rule_matched) return "\"only\" at " + where + " (no rule names this source)";
  return where;
}

RelayRules::RelayRules(std::vector<RelayRule> rules, std::vector<std::string> warnings)
    : rules_(std::move(rules)), warnings_(std::move(warnings)) {
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].action == RelayAction::only) {
      rules_.resize(i + 1);
      break;
    }
  }
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].pattern.kind == RelayPattern::Kind::network) {
      networks_.push_back({rules_[i].pattern.network, i});
    } else {
      sender_rules_.push_back(i);
    }
  }
}

const RelayRule* RelayRules::only_rule() const {
  if (rules_.empty() || rules_.back().action != RelayAction::only) return nullptr;
  return &rules_.back();
}

const RelayRule* RelayRules::match(const std::optional<IpAddress>& client, const EnvelopeSender& sender) const {
  // The first match overall is the earlier of the first network match and the first
  // sender match.
  std::size_t first = rules_.size();
  if (client) {
    for (const auto& n : networks_) {
      if (n.network.contains(*client)) {
        first = n.rule;
        break;
      }
    }
  }
  for (std::size_t i : sender_rules_) {
    if (i >= first) break;
    if (rules_[i].pattern.matches(client, sender)) {
      first = i;
      break;
    }
  }
  return first < rules_.size() ? &rules_[first] : nullptr;
}

RelayDecision RelayRules::decide(const RelayQuery& query) const {
  RelayDecision d;
  MatrixChoice choice{RelayMatrix::default_rules, true};
  if (const RelayRule* hit = match(query.client, query.sender)) {
    choice = matrix_for(hit->action);
    d.rule = hit;
    d.rule_matched = true;
  } else if (const RelayRule* only = only_rule()) {
    choice = {RelayMatrix::only_unlisted, true};
    d.rule = only;
  }
  // <> and a blank sender name no domain, so none of ours.
  const AddressClass sender_class =
      query.sender.form == EnvelopeSender::Form::mailbox ? query.sender_class : AddressClass::external;
  const MatrixCell cell =
      relay_cell(choice.matrix, sender_class, query.recipient_class, query.authenticated && choice.auth_relays);
  d.matrix = choice.matrix;
  d.verdict = cell.verdict;
  d.reason = cell.reason;
  if (query.authenticated && !choice.auth_relays && d.verdict == RelayVerdict::relay_denied) {
    d.reason = d.rule->action == RelayAction::norelay_ip_over_auth ? "the IP rule overrides AUTH: no relay (norelay,2)"
                                                                   : "no relay even with AUTH (norelay,0)";
  }
  return d;
}

bool RelayRules::waives_auth_requirement(const std::optional<IpAddress>& client,
                                         const EnvelopeSender& sender) const {
  const RelayRule* hit = match(client, sender);
  return hit != nullptr && hit->action == RelayAction::norelay_ip_over_auth &&
         hit->pattern.kind == RelayPattern::Kind::network;
}

}  // namespace dirmail::smtp
