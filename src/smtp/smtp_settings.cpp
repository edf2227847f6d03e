#include "dirmail/smtp/smtp_settings.hpp"

#include "dirmail/config/table_source.hpp"

namespace dirmail::smtp {

Result<std::shared_ptr<const ReceivedTemplate>> received_template(const config::Settings& s) {
  auto parsed = ReceivedTemplate::parse(s.smtp_received_template.empty() ? default_received_template
                                                                          : std::string_view(s.smtp_received_template));
  if (!parsed) return make_error(parsed.error().code, "smtp.received_template: " + parsed.error().message);
  return std::make_shared<const ReceivedTemplate>(std::move(*parsed));
}

Result<std::shared_ptr<const RelayRules>> relay_rules(const config::Settings& s) {
  auto source = config::table_source("smtp.relay_rules_file", s.smtp_relay_rules_file, "smtp.relay_rules",
                                     s.smtp_relay_rules, max_relay_rules_bytes + 1);
  if (!source) return std::move(source).error();
  if (!*source) return std::make_shared<const RelayRules>();
  auto rules = (*source)->from_file ? parse_relay_rules((*source)->text, (*source)->name)
                                    : parse_relay_rule_list(*(*source)->lines, (*source)->name);
  if (!rules) return std::move(rules).error();
  return std::make_shared<const RelayRules>(std::move(*rules));
}

std::vector<std::string> check_smtp_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  if (auto t = received_template(s); !t) problems.push_back(t.error().message);
  if (auto r = relay_rules(s); !r) problems.push_back(r.error().message);
  return problems;
}

}  // namespace dirmail::smtp
