#pragma once
// The authentication settings that only make sense together (auth.secrets_file and
// what needs it), checked for dirmaild's start and `dirmailctl config check`.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/auth/secrets_file.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::directory {

// Every problem, each naming its setting (a secrets file that is missing, readable by
// others, malformed or sealed without its key; settings that need a secrets file).
std::vector<std::string> check_auth_settings(const config::Settings& settings);

// auth.secrets_file, opened; null when it is not set.
Result<std::shared_ptr<auth::SecretsFile>> open_secrets_file(const config::Settings& settings);

}  // namespace dirmail::directory
