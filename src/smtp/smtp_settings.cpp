#include "dirmail/smtp/smtp_settings.hpp"

#include <fcntl.h>

#include "dirmail/base/posix_file.hpp"

namespace dirmail::smtp {

Result<std::shared_ptr<const ReceivedTemplate>> received_template(const config::Settings& s) {
  auto parsed = ReceivedTemplate::parse(s.smtp_received_template.empty() ? default_received_template
                                                                          : std::string_view(s.smtp_received_template));
  if (!parsed) return make_error(parsed.error().code, "smtp.received_template: " + parsed.error().message);
  return std::make_shared<const ReceivedTemplate>(std::move(*parsed));
}

Result<std::shared_ptr<const RelayRules>> relay_rules(const config::Settings& s) {
  if (!s.smtp_relay_rules_file.empty() && !s.smtp_relay_rules.empty())
    return make_error(ErrorCode::invalid_argument,
                      "smtp.relay_rules_file and smtp.relay_rules are both set: use one of them");
  if (!s.smtp_relay_rules.empty()) {
    auto rules = parse_relay_rule_list(s.smtp_relay_rules, "smtp.relay_rules");
    if (!rules) return std::move(rules).error();
    return std::make_shared<const RelayRules>(std::move(*rules));
  }
  if (s.smtp_relay_rules_file.empty()) return std::make_shared<const RelayRules>();
  const std::string& path = s.smtp_relay_rules_file;
  auto fd = posix::open_file(path, O_RDONLY | O_NONBLOCK);
  if (!fd) return make_error(fd.error().code, "smtp.relay_rules_file: " + fd.error().message);
  auto text = posix::pread_up_to(fd->get(), 0, max_relay_rules_bytes + 1, path);
  if (!text) return make_error(text.error().code, "smtp.relay_rules_file: " + text.error().message);
  if (text->size() > max_relay_rules_bytes)
    return make_error(ErrorCode::limit_exceeded, "smtp.relay_rules_file: " + path + " is larger than 4 MiB");
  auto rules = parse_relay_rules(*text, path);
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
