#include "dirmail/smtp/smtp_settings.hpp"

namespace dirmail::smtp {

Result<std::shared_ptr<const ReceivedTemplate>> received_template(const config::Settings& s) {
  auto parsed = ReceivedTemplate::parse(s.smtp_received_template.empty() ? default_received_template
                                                                          : std::string_view(s.smtp_received_template));
  if (!parsed) return make_error(parsed.error().code, "smtp.received_template: " + parsed.error().message);
  return std::make_shared<const ReceivedTemplate>(std::move(*parsed));
}

std::vector<std::string> check_smtp_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  if (auto t = received_template(s); !t) problems.push_back(t.error().message);
  return problems;
}

}  // namespace dirmail::smtp
