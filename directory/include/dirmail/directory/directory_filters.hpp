#pragma once
// The LDAP filters the ad and ldap backends send, built from a schema and untrusted
// values. Every value goes through escape_filter_value (RFC 4515), so a login such as
// "*)(uid=*" can only match itself.
#include <string>
#include <string_view>

#include "dirmail/directory/directory_schema.hpp"

namespace dirmail::directory {

// Active Directory's transitive membership rule (LDAP_MATCHING_RULE_IN_CHAIN).
inline constexpr std::string_view in_chain_rule = "1.2.840.113556.1.4.1941";

// A user by login: the name attribute against `name` (the login without a local
// domain), every other login attribute (userPrincipalName, mail) against `login`.
std::string user_by_login_filter(const DirectorySchema& schema, std::string_view name, std::string_view login);

// A user by envelope address: the name attribute against the local part, the
// address attribute against the address ("smtp:" + address for proxyAddresses).
std::string user_by_address_filter(const DirectorySchema& schema, std::string_view local_part,
                                   std::string_view address);

// Every member of the group with DN `group_dn` (nested: AD's in-chain rule).
std::string mail_users_filter(const DirectorySchema& schema, std::string_view group_dn, bool nested);

// The group named `name`.
std::string group_by_name_filter(const DirectorySchema& schema, std::string_view name);

// For a base search on the user's entry: true when it is a member of `group_dn`,
// through any depth of nesting (AD only).
std::string in_chain_member_filter(std::string_view group_dn);

// For a search of the group: the group lists the user (member DN or memberUid).
std::string group_lists_user_filter(const DirectorySchema& schema, std::string_view group_name,
                                    std::string_view user_dn, std::string_view user_name);

// An administrator's filter is used as given, but must be one parenthesised filter.
bool looks_like_filter(std::string_view filter);

}  // namespace dirmail::directory
