#include "dirmail/directory_settings/directory_from_settings.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "dirmail/auth/kerberos_account_password_check.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/directory/account_policy.hpp"
#include "dirmail/directory/directory_filters.hpp"
#include "dirmail/directory/mail_names.hpp"

namespace dirmail::directory {
namespace {

bool is_directory_backend(const config::Settings& s) { return s.directory_backend == "ad" || s.directory_backend == "ldap"; }

Result<std::string> read_password_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(ErrorCode::invalid_argument, "directory.bind_password_file: cannot read " + path);
  if (st.st_mode & S_IROTH)
    return make_error(ErrorCode::permission_denied,
                      "directory.bind_password_file: " + path + " is readable by every user; chmod 600 it");
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line))
    return make_error(ErrorCode::invalid_argument, "directory.bind_password_file: " + path + " is empty");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return make_error(ErrorCode::invalid_argument, "directory.bind_password_file: " + path + " is empty");
  return line;
}

std::string keytab_for_passwords(const config::Settings& s) {
  return s.auth_keytab.empty() ? s.directory_keytab : s.auth_keytab;
}

// The Kerberos check auth.password_check asks for (auto: when the realm is known and
// the keytab readable), or null for the LDAP bind.
std::unique_ptr<AccountPasswordCheck> kerberos_password_check(const config::Settings& s) {
  if (s.directory_backend != "ad" || s.auth_password_check == "bind") return nullptr;
  std::string keytab = keytab_for_passwords(s);
  if (s.auth_password_check == "auto" && (s.directory_realm.empty() || ::access(keytab.c_str(), R_OK) != 0))
    return nullptr;
  auth::KerberosPasswordCheckOptions o;
  o.realm = s.directory_realm;
  for (char& c : o.realm) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  o.keytab = keytab;
  o.verify_principal = s.auth_verify_principal;
  o.timeout = std::chrono::seconds(s.auth_kerberos_timeout);
  return std::make_unique<auth::KerberosAccountPasswordCheck>(std::move(o));
}

StatePolicy policy(const std::string& value) { return parse_state_policy(value).value_or(StatePolicy::refuse_mail); }

}  // namespace

std::vector<std::string> check_directory_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  if (!is_directory_backend(s)) return problems;
  if (s.directory_servers.empty() && (s.directory_backend != "ad" || s.directory_realm.empty()))
    problems.push_back(s.directory_backend == "ad"
                           ? "directory.servers is empty and directory.realm is not set: name the domain controllers, or the AD domain to find them in DNS"
                           : "directory.servers: name at least one LDAP server (ldap:// or ldaps:// URI)");
  for (const auto& uri : s.directory_servers)
    if (uri.rfind("ldap://", 0) != 0 && uri.rfind("ldaps://", 0) != 0)
      problems.push_back("directory.servers: \"" + uri + "\" is not an ldap:// or ldaps:// URI");
  if (s.directory_mail_domains.empty())
    problems.push_back("directory.mail_domains: name the mail domains served from the directory");
  for (const auto& d : s.directory_mail_domains)
    if (!canonical_domain(d)) problems.push_back("directory.mail_domains: \"" + d + "\" is not a domain name");
  if (s.directory_bind == "simple") {
    if (s.directory_bind_dn.empty()) problems.push_back("directory.bind_dn: a simple bind needs the service account");
    if (s.directory_bind_password_file.empty())
      problems.push_back("directory.bind_password_file: a simple bind needs the service account's password file");
    for (const auto& uri : s.directory_servers)
      // Loopback is exempt, as for the mail protocols' plaintext_auth = loopback.
      if (uri.rfind("ldap://", 0) == 0 && !s.directory_start_tls && uri.find("//127.") == std::string::npos)
        problems.push_back("directory.servers: \"" + uri + "\" with a simple bind sends the password in the clear; use ldaps:// or directory.start_tls = true");
  }
  if ((s.auth_password_check == "kerberos" || s.auth_password_check == "kerberos_or_bind") &&
      s.directory_backend == "ad" && s.directory_realm.empty())
    problems.push_back("auth.password_check: Kerberos needs directory.realm (the AD domain, e.g. corp.example.test)");
  if (s.directory_bind == "gssapi" && s.directory_keytab.empty())
    problems.push_back("directory.keytab: a GSSAPI bind needs a keytab");
  if (!s.directory_user_filter.empty() && !looks_like_filter(s.directory_user_filter))
    problems.push_back("directory.user_filter: not one parenthesised LDAP filter");
  if (!s.directory_group_filter.empty() && !looks_like_filter(s.directory_group_filter))
    problems.push_back("directory.group_filter: not one parenthesised LDAP filter");
  if (s.store_mailbox_path.find("%USERNAME%") == std::string::npos && s.store_mailbox_path.find("%HOME%") == std::string::npos)
    problems.push_back("store.mailbox_path: with a directory backend the template needs %USERNAME% or %HOME%");
  return problems;
}

DcDiscoveryOptions discovery_options(const config::Settings& s) {
  DcDiscoveryOptions d;
  d.realm = s.directory_realm;
  d.site = s.directory_site;
  d.dns_server = s.directory_dns_server;
  d.timeout = std::chrono::milliseconds(s.directory_connect_timeout * 2);
  return d;
}

std::string directory_status_file(const config::Settings& s) { return s.server_data_dir + "/directory-status.txt"; }

Result<LdapDirectoryOptions> ldap_directory_options(const config::Settings& s) {
  auto problems = check_directory_settings(s);
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return make_error(ErrorCode::invalid_argument, all);
  }
  LdapDirectoryOptions o;
  o.schema = s.directory_backend == "ad" ? DirectorySchema::active_directory() : DirectorySchema::generic_ldap();
  if (!s.directory_user_filter.empty()) o.schema.user_filter = s.directory_user_filter;
  if (!s.directory_group_filter.empty()) o.schema.group_filter = s.directory_group_filter;
  if (!s.directory_login_attributes.empty()) {
    o.schema.login_attributes = {o.schema.name_attribute};
    for (const auto& a : s.directory_login_attributes)
      if (a != o.schema.name_attribute) o.schema.login_attributes.push_back(a);
  }
  if (s.directory_address_attribute == "none") {
    o.schema.address_attribute.clear();
    o.schema.address_format = AddressFormat::none;
  } else if (!s.directory_address_attribute.empty()) {
    o.schema.address_attribute = s.directory_address_attribute;
    o.schema.address_format = s.directory_address_attribute == "proxyAddresses" ? AddressFormat::proxy_addresses
                                                                                 : AddressFormat::plain;
  }

  o.schema.mailbox_limit_attribute = s.directory_mailbox_limit_attribute;

  o.servers.uris = s.directory_servers;
  auto& c = o.servers.connection;
  c.start_tls = s.directory_start_tls;
  c.ca_file = s.directory_ca_file;
  c.verify_certificate = s.directory_verify_certificate;
  c.connect_timeout = std::chrono::milliseconds(s.directory_connect_timeout);
  c.operation_timeout = std::chrono::milliseconds(s.directory_search_timeout);
  if (s.directory_bind == "simple") {
    c.bind = LdapBindMethod::simple;
    c.bind_dn = s.directory_bind_dn;
    auto password = read_password_file(s.directory_bind_password_file);
    if (!password) return std::move(password).error();
    c.bind_password = std::move(*password);
  } else if (s.directory_bind == "gssapi") {
    c.bind = LdapBindMethod::gssapi;
    c.keytab = s.directory_keytab;
    c.principal = s.directory_principal;
  } else {
    c.bind = LdapBindMethod::anonymous;
  }
  if (o.servers.uris.empty()) {
    // ldaps:// unless the bind protects itself (StartTLS, or GSSAPI's sealing).
    bool ldaps = !s.directory_start_tls && s.directory_bind != "gssapi";
    DcDiscoveryOptions d = discovery_options(s);
    o.servers.discover = [d, ldaps]() -> Result<std::vector<std::string>> {
      auto found = discover_domain_controllers(d);
      if (!found) return std::move(found).error();
      return domain_controller_uris(*found, ldaps);
    };
  }
  o.servers.failback_after = std::chrono::seconds(s.directory_failback_after);
  o.servers.probe_interval = std::chrono::seconds(s.directory_probe_interval);

  o.base_dn = s.directory_base_dn;
  for (const auto& d : s.directory_mail_domains) o.mail_domains.push_back(*canonical_domain(d));
  o.mail_users_group = s.directory_mail_users_group;
  o.nested_groups = s.directory_nested_groups;
  o.strict_domain_membership = s.directory_strict_domain_membership;
  o.with_home = s.store_mailbox_path.find("%HOME%") != std::string::npos;
  o.policies.disabled = policy(s.directory_disabled_accounts);
  o.policies.locked = policy(s.directory_locked_accounts);
  o.policies.expired = policy(s.directory_expired_accounts);
  o.policies.password_expired = policy(s.directory_password_expired_accounts);
  o.cache_ttl = std::chrono::seconds(s.directory_cache_ttl);
  o.negative_cache_ttl = std::chrono::seconds(s.directory_negative_cache_ttl);
  o.snapshot_refresh = std::chrono::seconds(s.directory_snapshot_refresh);
  o.verified_password_ttl = std::chrono::seconds(s.auth_verified_password_ttl);
  o.snapshot_max_staleness = std::chrono::seconds(s.directory_snapshot_max_staleness);
  return o;
}

Result<DirectoryBackend> open_directory(const config::Settings& s, bool report_status) {
  DirectoryBackend backend;
  if (!is_directory_backend(s)) {
    LocalDirectoryOptions local_options;
    local_options.verified_password_ttl = std::chrono::seconds(s.auth_verified_password_ttl);
    auto local = LocalDirectory::open(s.directory_local_database, local_options);
    if (!local) return std::move(local).error();
    backend.local = local->get();
    backend.passwords = local->get();
    backend.directory = std::move(*local);
    return backend;
  }
  auto options = ldap_directory_options(s);
  if (!options) return std::move(options).error();
  std::unique_ptr<DirectorySnapshot> snapshot;
  if (!s.directory_snapshot_file.empty()) {
    auto opened = DirectorySnapshot::open(s.directory_snapshot_file);
    if (!opened) {
      // A damaged snapshot is only a cache of the directory: start a new one.
      log::LogLine(log::service("directory"), log::Record::directory)
          .with("file", s.directory_snapshot_file).with("error", opened.error().message)
          .error("directory snapshot unusable; starting an empty one");
      DIRMAIL_TRY(DirectorySnapshot::remove_file(s.directory_snapshot_file));
      opened = DirectorySnapshot::open(s.directory_snapshot_file);
    }
    if (!opened) return make_error(opened.error().code, "directory.snapshot_file: " + opened.error().message);
    snapshot = std::move(*opened);
  }
  if (report_status) options->status_file = directory_status_file(s);
  auto ldap = std::make_unique<LdapDirectory>(std::move(*options), std::move(snapshot));
  if (auto kerberos = kerberos_password_check(s)) ldap->set_password_check(std::move(kerberos), s.auth_password_check == "kerberos_or_bind");
  backend.ldap = ldap.get();
  backend.passwords = ldap.get();
  backend.directory = std::move(ldap);
  return backend;
}

}  // namespace dirmail::directory
