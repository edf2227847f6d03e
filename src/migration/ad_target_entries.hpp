#pragma once
// The Active Directory target's entries (spec active-directory-guide.md §22.7): what
// it writes for a new user and a new mail domain group, and how it reads a user back
// as a TargetAccount. Pure, so that the rules are tested without a DC. Private to the
// migration library.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/directory/ldap_connection.hpp"
#include "dirmail/migration/account_target.hpp"

namespace dirmail::migration {

// Where the target puts and finds things: AdTargetOptions with the defaults filled in
// and the mail-users group found.
struct AdTargetLayout {
  std::string base_dn;
  std::string user_container;
  std::string group_container;
  std::string upn_suffix;
  std::string mail_users_group_dn;
  std::string mailbox_limit_attribute;  // empty: limits not kept
};

// The importer's mark in a user's `info` (AD's "Notes"): "dirmail-import: <origin>".
inline constexpr std::string_view importer_mark_prefix = "dirmail-import:";
// info holds 1024 characters; the origin is cut well below.
inline constexpr std::size_t max_mark_origin_bytes = 512;
// AD's limits on a user's sAMAccountName (pre-Windows 2000 logon name).
inline constexpr std::size_t max_sam_account_name = 20;
inline constexpr std::string_view sam_account_name_forbidden = "\"/\\[]:;|=,+*?<>";
// A CN holds 64 characters: a mail domain group is named CN=<domain>.
inline constexpr std::size_t max_domain_group_name = 64;
// groupType of a domain-local security group (spec §16, §22.7).
inline constexpr std::string_view domain_local_security_group = "-2147483644";
inline constexpr std::uint32_t uac_normal_account = 0x200;  // 512; with ACCOUNTDISABLE (2): 514
// groupType's bit of the builtin local groups (Administrators, Account Operators, ...).
inline constexpr std::int64_t group_type_builtin_local = 0x1;

// The attributes a user lookup asks for.
std::vector<std::string> user_attributes(const AdTargetLayout& layout);

std::string importer_mark(std::string_view origin);
bool has_importer_mark(std::string_view info);

// Why AD cannot take the account as a sAMAccountName, or nullopt: empty, longer than
// 20 characters, a character of "/\[]:;|=,+*?<>, a control character, or not UTF-8.
std::optional<std::string> sam_account_name_problem(std::string_view account);
// Why a mail domain cannot name a group (CN=<domain>), or nullopt.
std::optional<std::string> domain_group_name_problem(std::string_view domain);

// What check_row refuses in a row before anything is written: the account as a
// sAMAccountName (sam_account_name_problem), and a domain, when there is one, that
// cannot name a mail domain group (domain_group_name_problem).
std::optional<std::string> ad_row_problem(const SoftAccount& row);

// The attributes a mail domain group lookup asks for (mail_domain_group_problem).
std::vector<std::string> domain_group_lookup_attributes();
// Why the group a lookup found for `domain` is not one the importer may put users in,
// or nullopt: it must be a group named exactly the domain (without case) and none of
// the builtin or privileged groups, which AD marks with groupType's builtin bit (0x1),
// isCriticalSystemObject or adminCount. A user's mail domain must never grant rights.
std::optional<std::string> mail_domain_group_problem(const directory::LdapEntry& group, std::string_view domain);

// A user this importer created and a run cut short before its password was set: the
// importer's mark in info and still disabled (514, as new_user_attributes leaves it).
bool created_without_password(const directory::LdapEntry& user);

// Whether a group's sAMAccountName names a mail domain: a DNS name (letters, digits,
// '-', '_' in labels of 1 to 63 octets) with at least one dot. The mail domain groups
// are named after the domains (spec §16); no other group has a dotted DNS name by
// Windows' conventions, and the mail-users group is excluded by the caller.
bool looks_like_mail_domain(std::string_view group_name);

// The new user (spec §22.7): CN=<account> in the user container, disabled (514) until
// the password is set, with the importer's mark and, when the target keeps limits and
// the row has one, its mailbox limit. Empty values are left out (AD refuses them).
std::string new_user_dn(const NewAccount& account, const AdTargetLayout& layout);
std::vector<directory::LdapAttribute> new_user_attributes(const NewAccount& account, const AdTargetLayout& layout);

// The mail domain's group: CN=<domain> in the group container, a domain-local security
// group with the domain as sAMAccountName and description.
std::string domain_group_dn(std::string_view domain, const AdTargetLayout& layout);
std::vector<directory::LdapAttribute> domain_group_attributes(std::string_view domain);

// Mail domain groups by DN key (dn_key), their sAMAccountName as value.
using DomainGroups = std::map<std::string, std::string>;
// The key a DN is compared by: ASCII letters folded (AD returns the DNs of memberOf and
// of a group search in one spelling, but not one case).
std::string dn_key(std::string_view dn);

// A user's entry (user_attributes) as the importer compares it with a row: its mail
// domains are the groups of `domain_groups` it is a direct member of (memberOf),
// sorted; mail_user when memberOf holds the mail-users group.
TargetAccount target_account_from_entry(const directory::LdapEntry& entry, const AdTargetLayout& layout,
                                        const DomainGroups& domain_groups);

// The row of an export (dirmail-import export) for a mail user: no password, flags
// false, the first of its domains (blank when none, spec §16).
SoftAccount soft_account_from_target(const TargetAccount& account);

}  // namespace dirmail::migration
