#include "import_target.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>

#include "dirmail/migration/ad_account_target.hpp"
#include "dirmail/migration/local_account_target.hpp"

namespace dirmail::import_tool {
namespace {

Result<std::string> admin_password(const ctl::Words& words, std::ostream& err) {
  if (auto it = words.values.find("--admin-password-file"); it != words.values.end()) {
    std::ifstream in(it->second);
    std::string line;
    if (!in || !std::getline(in, line))
      return make_error(ErrorCode::invalid_argument, "--admin-password-file " + it->second + " cannot be read");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  ctl::Words asked;
  if (words.flags.contains("--admin-password-stdin")) asked.flags.insert("--password-stdin");
  return ctl::password_from(asked, err);
}

Result<OpenedTarget> open_ad(const config::Settings& s, const ctl::Words& words, std::ostream& err) {
  migration::AdTargetOptions o;
  std::string uri = ctl::value_or(words, "--server", s.directory_servers.empty() ? "" : s.directory_servers.front());
  if (uri.empty())
    return make_error(ErrorCode::invalid_argument, "no domain controller: give --server ldaps://DC or set directory.servers");
  const bool ldaps = uri.starts_with("ldaps://");
  if (!ldaps && !(uri.starts_with("ldap://") && s.directory_start_tls))
    return make_error(ErrorCode::invalid_argument,
                      uri + ": AD takes passwords only over an encrypted connection: use ldaps://, or ldap:// with "
                            "directory.start_tls = true");
  if (!words.values.contains("--admin"))
    return make_error(ErrorCode::invalid_argument,
                      "--admin is needed: the account that may create users in AD (the service account may not)");
  o.connection.uri = uri;
  o.connection.start_tls = !ldaps && s.directory_start_tls;
  o.connection.ca_file = s.directory_ca_file;
  o.connection.verify_certificate = s.directory_verify_certificate;
  o.connection.connect_timeout = std::chrono::milliseconds(s.directory_connect_timeout);
  o.connection.operation_timeout = std::chrono::milliseconds(s.directory_search_timeout);
  o.connection.bind = directory::LdapBindMethod::simple;
  o.connection.bind_dn = words.values.at("--admin");
  auto password = admin_password(words, err);
  if (!password) return std::move(password).error();
  o.connection.bind_password = std::move(*password);
  o.base_dn = s.directory_base_dn;
  o.user_container = ctl::value_or(words, "--user-container", "");
  o.group_container = ctl::value_or(words, "--group-container", "");
  o.mail_users_group = s.directory_mail_users_group;
  o.mailbox_limit_attribute = s.directory_mailbox_limit_attribute;
  auto target = migration::open_ad_account_target(o);
  if (!target) return std::move(target).error();
  OpenedTarget opened;
  opened.target = std::move(*target);
  opened.keeps_mailbox_limits = !s.directory_mailbox_limit_attribute.empty();
  return opened;
}

Result<OpenedTarget> open_local(const config::Settings& s, bool dry_run) {
  std::error_code ec;
  const bool missing = !std::filesystem::exists(s.directory_local_database, ec);
  auto dir = directory::LocalDirectory::open(dry_run && missing ? ":memory:" : s.directory_local_database);
  if (!dir) return make_error(dir.error().code, s.directory_local_database + ": " + dir.error().message);
  OpenedTarget opened;
  opened.local = std::move(*dir);
  opened.target = migration::make_local_account_target(*opened.local, s.directory_local_database);
  return opened;
}

}  // namespace

void add_target_options(std::set<std::string>& values, std::set<std::string>& flags) {
  values.insert({"--target", "--server", "--admin", "--admin-password-file", "--user-container", "--group-container"});
  flags.insert("--admin-password-stdin");
}

Result<OpenedTarget> open_target(const config::Settings& s, const ctl::Words& words, bool dry_run, std::ostream& err) {
  std::string kind = ctl::value_or(words, "--target", s.directory_backend);
  if (kind == "ad") return open_ad(s, words, err);
  if (kind == "local") return open_local(s, dry_run);
  if (kind == "ldap")
    return make_error(ErrorCode::invalid_argument,
                      "directory.backend is \"ldap\": dirmail-import writes to Active Directory or the local directory "
                      "(--target ad|local)");
  return make_error(ErrorCode::invalid_argument, "--target must be ad or local, not \"" + kind + "\"");
}

}  // namespace dirmail::import_tool
