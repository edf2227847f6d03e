#pragma once
// The feature settings that need more than the settings table's own checks (aliases,
// journal), for dirmaild's start and reload and `dirmailctl config check`.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/features/alias_table.hpp"
#include "dirmail/features/journal_rule.hpp"

namespace dirmail::features {

// Every problem, each naming its setting; empty if none.
std::vector<std::string> check_feature_settings(const config::Settings& settings);

// aliases.file or aliases.entries (errors "FILE:LINE: reason"); an empty table when neither is set.
Result<std::shared_ptr<const AliasTable>> alias_table(const config::Settings& settings);

Result<std::shared_ptr<const JournalRule>> journal_rule(const config::Settings& settings);

// delivery.admin_address with the domain completed (NAME@hostname), lower case.
std::string admin_address(const config::Settings& settings, std::string_view hostname);

}  // namespace dirmail::features
