#include "ad_target_entries.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ad_account_flags.hpp"
#include "dirmail/directory/ldap_dn.hpp"

namespace dirmail::migration {
namespace {

std::size_t characters(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7f;
  });
}

bool dns_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::uint64_t mailbox_limit_of(const directory::LdapEntry& entry, const AdTargetLayout& layout) {
  if (layout.mailbox_limit_attribute.empty()) return 0;
  auto value = parse_decimal(entry.first(layout.mailbox_limit_attribute), max_limit_digits);
  return value && *value <= max_mailbox_limit ? *value : 0;
}

}  // namespace

std::vector<std::string> user_attributes(const AdTargetLayout& layout) {
  std::vector<std::string> attributes = {"sAMAccountName", "displayName", "homeDirectory",
                                         "memberOf",       "userAccountControl", "info"};
  if (!layout.mailbox_limit_attribute.empty()) attributes.push_back(layout.mailbox_limit_attribute);
  return attributes;
}

std::string importer_mark(std::string_view origin) {
  // The mark must be UTF-8 without control characters, whatever the file was named.
  std::string clean;
  if (valid_utf8(origin)) {
    clean = escape_control(origin);
  } else {
    for (char c : origin) clean += static_cast<unsigned char>(c) < 0x80 ? c : '?';
    clean = escape_control(clean);
  }
  if (clean.size() > max_mark_origin_bytes) {
    std::size_t cut = max_mark_origin_bytes;
    while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
    clean.resize(cut);
  }
  std::string mark(importer_mark_prefix);
  if (!clean.empty()) mark += " " + clean;
  return mark;
}

bool has_importer_mark(std::string_view info) { return info.starts_with(importer_mark_prefix); }

std::optional<std::string> sam_account_name_problem(std::string_view account) {
  if (account.empty()) return "the account name is empty";
  if (!valid_utf8(account)) return "the account name is not valid UTF-8";
  if (has_control(account)) return "the account name has a control character";
  if (characters(account) > max_sam_account_name)
    return fmt::format("the account name has {} characters; Active Directory takes at most {}", characters(account),
                       max_sam_account_name);
  if (auto pos = account.find_first_of(sam_account_name_forbidden); pos != std::string_view::npos)
    return fmt::format("the account name has '{}', which Active Directory does not take in a logon name",
                       account[pos]);
  if (account.find_first_not_of(". ") == std::string_view::npos)
    return "the account name is only dots and spaces, which Active Directory does not take";
  return std::nullopt;
}

std::optional<std::string> domain_group_name_problem(std::string_view domain) {
  if (!looks_like_mail_domain(domain))
    return "\"" + escape_control(domain) + "\" is not a domain name with a dot, so it cannot name a mail domain group";
  if (domain.size() > max_domain_group_name)
    return fmt::format("the mail domain has {} characters; a group's name (CN) takes at most {}", domain.size(),
                       max_domain_group_name);
  return std::nullopt;
}

std::optional<std::string> ad_row_problem(const SoftAccount& row) {
  if (auto problem = sam_account_name_problem(row.account)) return problem;
  if (!row.domain.empty()) return domain_group_name_problem(row.domain);
  return std::nullopt;
}

std::vector<std::string> domain_group_lookup_attributes() {
  return {"objectClass", "sAMAccountName", "groupType", "isCriticalSystemObject", "adminCount"};
}

std::optional<std::string> mail_domain_group_problem(const directory::LdapEntry& group, std::string_view domain) {
  const std::string shown = "the group \"" + escape_control(group.first("sAMAccountName")) + "\"";
  const auto* classes = group.values("objectClass");
  bool is_group = classes && std::any_of(classes->begin(), classes->end(),
                                         [](const std::string& c) { return iequals(c, "group"); });
  if (!is_group) return shown + " is not a group";
  if (!iequals(group.first("sAMAccountName"), domain))
    return shown + " is not named \"" + escape_control(domain) + "\"";
  auto type = directory::parse_ad_integer(group.first("groupType"));
  if (!type) return shown + " has no groupType";
  if ((*type & group_type_builtin_local) != 0 || iequals(group.first("isCriticalSystemObject"), "TRUE") ||
      group.first("adminCount") == "1")
    return shown + " is a builtin or privileged group of the domain, not a mail domain group: no user is added to it";
  return std::nullopt;
}

bool created_without_password(const directory::LdapEntry& user) {
  auto uac = directory::parse_ad_integer(user.first("userAccountControl"));
  return has_importer_mark(user.first("info")) && uac && (*uac & directory::uac_account_disable) != 0;
}

bool looks_like_mail_domain(std::string_view group_name) {
  if (group_name.size() > 253 || group_name.find('.') == std::string_view::npos) return false;
  for (std::string_view label : split(group_name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    if (!std::all_of(label.begin(), label.end(), dns_label_char)) return false;
  }
  return true;
}

std::string new_user_dn(const NewAccount& account, const AdTargetLayout& layout) {
  return directory::child_dn("CN", account.row.account, layout.user_container);
}

std::vector<directory::LdapAttribute> new_user_attributes(const NewAccount& account, const AdTargetLayout& layout) {
  const SoftAccount& row = account.row;
  std::vector<directory::LdapAttribute> attributes = {
      {"objectClass", {"top", "person", "organizationalPerson", "user"}},
      {"sAMAccountName", {row.account}},
      {"userPrincipalName", {row.account + "@" + layout.upn_suffix}},
      {"userAccountControl", {std::to_string(uac_normal_account | directory::uac_account_disable)}},
      {"info", {importer_mark(account.origin)}},
  };
  if (!row.full_name.empty()) attributes.push_back({"displayName", {row.full_name}});
  if (!row.home_folder.empty()) attributes.push_back({"homeDirectory", {row.home_folder}});
  if (!layout.mailbox_limit_attribute.empty() && row.mailbox_limit != 0)
    attributes.push_back({layout.mailbox_limit_attribute, {std::to_string(row.mailbox_limit)}});
  return attributes;
}

std::string domain_group_dn(std::string_view domain, const AdTargetLayout& layout) {
  return directory::child_dn("CN", domain, layout.group_container);
}

std::vector<directory::LdapAttribute> domain_group_attributes(std::string_view domain) {
  return {
      {"objectClass", {"top", "group"}},
      {"sAMAccountName", {std::string(domain)}},
      {"groupType", {std::string(domain_local_security_group)}},
      {"description", {std::string(domain)}},
  };
}

std::string dn_key(std::string_view dn) { return to_lower(dn); }

TargetAccount target_account_from_entry(const directory::LdapEntry& entry, const AdTargetLayout& layout,
                                        const DomainGroups& domain_groups) {
  TargetAccount account;
  account.account = entry.first("sAMAccountName");
  account.display_name = entry.first("displayName");
  account.home_folder = entry.first("homeDirectory");
  const std::string mail_users_key = dn_key(layout.mail_users_group_dn);
  if (const auto* groups = entry.values("memberOf")) {
    for (const std::string& group : *groups) {
      std::string key = dn_key(group);
      if (key == mail_users_key) {
        account.mail_user = true;
        continue;
      }
      if (auto it = domain_groups.find(key); it != domain_groups.end()) account.domains.push_back(it->second);
    }
  }
  std::sort(account.domains.begin(), account.domains.end());
  account.imported = has_importer_mark(entry.first("info"));
  account.mailbox_limit = mailbox_limit_of(entry, layout);
  auto uac = directory::parse_ad_integer(entry.first("userAccountControl"));
  account.enabled = !uac || (*uac & directory::uac_account_disable) == 0;
  return account;
}

SoftAccount soft_account_from_target(const TargetAccount& account) {
  SoftAccount row;
  row.account = account.account;
  row.full_name = account.display_name;
  row.domain = account.domains.empty() ? std::string() : account.domains.front();
  row.home_folder = account.home_folder;
  row.mailbox_limit = account.mailbox_limit;
  return row;
}

}  // namespace dirmail::migration
