// effect.dat as a file and as a TOML list: line splitting, limits, the "only" cut-off
// and the load-time warnings. One line's syntax is relay_rule_line.cpp.
#include <optional>
#include <string>
#include <vector>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/table_source.hpp"
#include "dirmail/smtp/relay_rules.hpp"
#include "relay_rule_line.hpp"

namespace dirmail::smtp {
namespace {


// Gathers the rules of one source, line by line, and the warnings about them.
class RuleCollector {
 public:
  // `origin`: "NAME:LINE" or "NAME[INDEX]". Returns the error for a bad line.
  Status add(std::string_view line, std::string origin) {
    if (only_ != nullptr) {
      if (!is_blank_or_comment(line)) {
        if (ignored_ == 0) first_ignored_ = origin;
        ++ignored_;
      }
      return ok_status();
    }
    auto parsed = parse_relay_rule_line(line);
    if (!parsed) return Error{parsed.error().code, origin + ": " + parsed.error().message};
    if (parsed->kind != RelayRuleLine::Kind::rule) return ok_status();
    if (rules_.size() >= max_relay_rules) {
      return make_error(ErrorCode::limit_exceeded,
                        origin + ": more than " + std::to_string(max_relay_rules) + " rules");
    }
    RelayRule rule{std::move(origin), std::string(line), std::move(parsed->pattern), parsed->action};
    warn_about(rule, parsed->host_bits_set);
    rules_.push_back(std::move(rule));
    if (rules_.back().action == RelayAction::only) only_ = &rules_.back();
    return ok_status();
  }

  RelayRules finish() {
    if (ignored_ > 0) {
      warnings_.push_back(first_ignored_ + ": " + std::to_string(ignored_) + " rule line" + (ignored_ == 1 ? "" : "s") +
                          " after \"only\" (" + only_->origin + ") ignored: \"only\" must be the last rule");
    }
    return RelayRules(std::move(rules_), std::move(warnings_));
  }

 private:
  void warn_about(const RelayRule& rule, bool host_bits_set) {
    const std::string& at = rule.origin;
    if (catch_all_ && !unreachable_reported_) {
      unreachable_reported_ = true;
      warnings_.push_back(at + ": never used, nor any rule after it: " + *catch_all_ +
                          " matches every client first");
    }
    if (host_bits_set) {
      warnings_.push_back(at + ": the address has bits set below the prefix; they are ignored (the network is " +
                          rule.pattern.network.first_address().to_string() + " and up)");
    }
    if (rule.open_relay_risk()) {
      if (rule.pattern.judges_sender()) {
        warnings_.push_back(at + ": \"" + escape_control(rule.text) +
                            "\" lets mail through to any domain on the word of the envelope sender, which anyone "
                            "can forge: an open relay if the server is reachable from the internet");
      } else {
        warnings_.push_back(at + ": \"" + escape_control(rule.text) +
                            "\" lets every client of the address family relay: an open relay if the server is "
                            "reachable from the internet");
      }
    }
    if (rule.action == RelayAction::norelay_ip_over_auth && rule.pattern.judges_sender()) {
      warnings_.push_back(at + ": norelay,2 on an envelope-sender pattern acts as norelay,0: only an IP rule can "
                               "spare a client the AUTH requirement");
    }
    if (!catch_all_ && rule.pattern.kind == RelayPattern::Kind::network && rule.pattern.network.is_any_client())
      catch_all_ = rule.origin;
  }

  std::vector<RelayRule> rules_;
  std::vector<std::string> warnings_;
  const RelayRule* only_ = nullptr;  // stays valid: nothing is added after it
  std::size_t ignored_ = 0;
  std::string first_ignored_;
  std::optional<std::string> catch_all_;  // origin of the first "*.*.*.*" rule
  bool unreachable_reported_ = false;
};

}  // namespace

Result<RelayRules> parse_relay_rules(std::string_view text, std::string_view name) {
  RuleCollector rules;
  DIRMAIL_TRY(config::for_each_table_line(text, name, max_relay_rules_bytes, [&](std::string_view line, std::string origin) {
    return rules.add(line, std::move(origin));
  }));
  return rules.finish();
}

Result<RelayRules> parse_relay_rule_list(const std::vector<std::string>& entries, std::string_view name) {
  RuleCollector rules;
  DIRMAIL_TRY(config::for_each_table_entry(entries, name, [&](std::string_view line, std::string origin) {
    return rules.add(line, std::move(origin));
  }));
  return rules.finish();
}

}  // namespace dirmail::smtp
