#pragma once
// The smtp settings that need more than the settings table's own checks, for
// dirmaild's start and `dirmailctl config check`.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/smtp/received_template.hpp"
#include "dirmail/smtp/relay_rules.hpp"

namespace dirmail::smtp {

// Every problem, each naming its setting; empty if none.
std::vector<std::string> check_smtp_settings(const config::Settings& settings);

// smtp.received_template, or the built-in one when it is empty.
Result<std::shared_ptr<const ReceivedTemplate>> received_template(const config::Settings& settings);

// smtp.relay_rules_file or smtp.relay_rules, parsed (errors "FILE:LINE: reason"); the
// empty rule set when neither is set.
Result<std::shared_ptr<const RelayRules>> relay_rules(const config::Settings& settings);

}  // namespace dirmail::smtp
