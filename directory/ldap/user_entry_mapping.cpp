#include "dirmail/directory/user_entry_mapping.hpp"

#include <algorithm>

#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ad_account_flags.hpp"
#include "dirmail/directory/mail_names.hpp"

namespace dirmail::directory {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Canonical form for comparison: lower case, no spaces around separators.
std::string normal_dn(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  for (std::size_t i = 0; i < dn.size(); ++i) {
    char c = dn[i];
    if (c == '\\' && i + 1 < dn.size()) {
      out += c;
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(dn[++i])));
      continue;
    }
    if (c == ' ') {
      // Drop spaces next to ',' or '='.
      std::size_t j = i;
      while (j < dn.size() && dn[j] == ' ') ++j;
      bool before_sep = j < dn.size() && (dn[j] == ',' || dn[j] == '=');
      bool after_sep = !out.empty() && (out.back() == ',' || out.back() == '=');
      if (before_sep || after_sep) {
        i = j - 1;
        continue;
      }
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const std::vector<std::string>& values_or_empty(const LdapEntry& entry, std::string_view attribute) {
  static const std::vector<std::string> none;
  if (attribute.empty()) return none;
  const auto* v = entry.values(attribute);
  return v ? *v : none;
}

std::optional<std::string> mail_address(std::string_view text) {
  auto parts = split_address(text);
  if (!parts) return std::nullopt;
  auto domain = canonical_domain(parts->domain);
  if (!domain) return std::nullopt;
  return parts->local_part + "@" + *domain;
}

}  // namespace

Result<std::string> first_rdn_value(std::string_view dn) {
  if (dn.size() > max_dn_length) return make_error(ErrorCode::limit_exceeded, "DN too long");
  auto eq = dn.find('=');
  if (eq == std::string_view::npos || eq == 0) return make_error(ErrorCode::invalid_argument, "DN without '='");
  std::string value;
  for (std::size_t i = eq + 1; i < dn.size(); ++i) {
    char c = dn[i];
    if (c == ',' || c == '+') break;
    if (c != '\\') {
      value += c;
      continue;
    }
    if (i + 1 >= dn.size()) return make_error(ErrorCode::invalid_argument, "DN ends inside an escape");
    int hi = hex_value(dn[i + 1]);
    if (hi >= 0 && i + 2 < dn.size() && hex_value(dn[i + 2]) >= 0) {
      value += static_cast<char>(hi * 16 + hex_value(dn[i + 2]));
      i += 2;
    } else {
      value += dn[++i];
    }
  }
  std::string_view trimmed = trim(value);
  if (trimmed.empty()) return make_error(ErrorCode::invalid_argument, "empty RDN value");
  return std::string(trimmed);
}

bool same_dn(std::string_view a, std::string_view b) {
  if (a.size() > max_dn_length || b.size() > max_dn_length) return false;
  return normal_dn(a) == normal_dn(b);
}

Result<MappedUser> map_user_entry(const LdapEntry& entry, const DirectorySchema& schema,
                                  const MappingContext& context) {
  MappedUser out;
  Account& account = out.account;
  std::string raw_name = entry.first(schema.name_attribute);
  if (raw_name.empty())
    return make_error(ErrorCode::invalid_argument, "entry has no " + schema.name_attribute + ": " + entry.dn.substr(0, 256));
  auto name = canonical_account_name(raw_name);
  if (!name)
    return make_error(ErrorCode::invalid_argument,
                      "account name \"" + escape_control(raw_name.substr(0, 80)) + "\" cannot name a mailbox folder");
  account.name = *name;
  account.dn = entry.dn.substr(0, max_dn_length);
  account.display_name = entry.first(schema.display_name_attribute).substr(0, 256);
  if (account.display_name.empty() && schema.kind == DirectoryKind::ldap) account.display_name = entry.first("cn").substr(0, 256);
  account.home = entry.first(schema.home_attribute).substr(0, 1024);
  if (!schema.mailbox_limit_attribute.empty()) {
    // Bytes; a value that is not a positive number sets no limit of the account's own.
    auto limit = parse_ad_integer(entry.first(schema.mailbox_limit_attribute));
    if (limit && *limit > 0) account.mailbox_limit = static_cast<std::uint64_t>(*limit);
  }

  // Groups: the first RDN of each memberOf DN; mail domains among them, in the
  // administrator's order.
  const auto& member_of = values_or_empty(entry, schema.member_of_attribute);
  for (std::size_t i = 0; i < member_of.size() && i < max_mapped_values; ++i) {
    auto group = first_rdn_value(member_of[i]);
    if (group) account.groups.push_back(*group);
  }
  for (const auto& domain : context.mail_domains) {
    for (const auto& group : account.groups) {
      if (iequals(group, domain)) {
        out.domain_groups.push_back(domain);
        break;
      }
    }
  }

  // Further addresses.
  const auto& address_values = values_or_empty(entry, schema.address_attribute);
  for (std::size_t i = 0; i < address_values.size() && i < max_mapped_values; ++i) {
    std::string_view value = address_values[i];
    if (schema.address_format == AddressFormat::proxy_addresses) {
      if (value.size() < 5 || !iequals(value.substr(0, 5), "smtp:")) continue;  // X400:, SIP:, ...
      bool primary = value.substr(0, 5) == "SMTP:";
      auto address = mail_address(value.substr(5));
      if (!address) continue;
      if (primary && out.primary_address.empty()) out.primary_address = *address;
      account.addresses.push_back(std::move(*address));
    } else if (schema.address_format == AddressFormat::plain) {
      auto address = mail_address(value);
      if (address) account.addresses.push_back(std::move(*address));
    }
  }
  std::sort(account.addresses.begin(), account.addresses.end());
  account.addresses.erase(std::unique(account.addresses.begin(), account.addresses.end()), account.addresses.end());

  // The mail domain: the domain group first, then the primary address's domain if it
  // is ours, then the first mail domain (the original's common mailbox).
  if (!out.domain_groups.empty()) {
    account.domain = out.domain_groups.front();
  } else {
    std::string primary_domain;
    if (auto at = out.primary_address.rfind('@'); at != std::string::npos) primary_domain = out.primary_address.substr(at + 1);
    for (const auto& domain : context.mail_domains)
      if (domain == primary_domain) account.domain = domain;
    if (account.domain.empty() && !context.mail_domains.empty()) account.domain = context.mail_domains.front();
  }

  if (!context.is_mail_user) {
    account.state = AccountState::not_mail_user;
  } else if (schema.account_flags) {
    AdAccountFlags flags;
    flags.user_account_control =
        static_cast<std::uint32_t>(parse_ad_integer(entry.first("userAccountControl")).value_or(0));
    flags.computed_account_control =
        static_cast<std::uint32_t>(parse_ad_integer(entry.first("msDS-User-Account-Control-Computed")).value_or(0));
    flags.account_expires = parse_ad_integer(entry.first("accountExpires")).value_or(0);
    flags.pwd_last_set = parse_ad_integer(entry.first("pwdLastSet"));
    flags.lockout_time = parse_ad_integer(entry.first("lockoutTime")).value_or(0);
    account.state = ad_account_state(flags, context.now_filetime);
  } else {
    account.state = AccountState::active;
  }
  return out;
}

}  // namespace dirmail::directory
