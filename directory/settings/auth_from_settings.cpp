#include "dirmail/directory_settings/auth_from_settings.hpp"

namespace dirmail::directory {

Result<std::shared_ptr<auth::SecretsFile>> open_secrets_file(const config::Settings& s) {
  if (s.auth_secrets_file.empty()) return std::shared_ptr<auth::SecretsFile>();
  return auth::SecretsFile::open(s.auth_secrets_file, s.auth_secrets_key_file);
}

std::vector<std::string> check_auth_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  if (s.auth_secrets_file.empty()) {
    auto needs = [&problems](const std::string& what) {
      problems.push_back(what + " needs auth.secrets_file, which is not set");
    };
    if (!s.auth_master_users.empty()) needs("auth.master_users");
    if (s.smtp_auth_password_source == "secrets_file") needs("smtp.auth_password_source = \"secrets_file\"");
    if (s.submission_auth_password_source == "secrets_file") needs("submission.auth_password_source = \"secrets_file\"");
    if (s.smtp_auth_security_level == "auth_file") needs("smtp.auth_security_level = \"auth_file\"");
    return problems;
  }
  auto opened = open_secrets_file(s);
  if (!opened) problems.push_back(opened.error().message);
  return problems;
}

}  // namespace dirmail::directory
