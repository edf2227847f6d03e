#pragma once
// Which attributes and filters describe users and groups: Active Directory's, or a
// generic LDAP server's (inetOrgPerson, groupOfNames with the memberOf overlay,
// posixGroup). Settings may override each part; empty settings take these defaults.
#include <string>
#include <vector>

namespace dirmail::directory {

enum class DirectoryKind { ad, ldap };

enum class AddressFormat {
  none,
  proxy_addresses,  // AD proxyAddresses: "SMTP:primary", "smtp:alias", other types ignored
  plain,            // each value is an address (LDAP mail)
};

struct DirectorySchema {
  DirectoryKind kind = DirectoryKind::ad;
  std::string user_filter;                  // every user entry matches it
  std::string group_filter;                 // every group entry matches it
  std::string name_attribute;               // the account name: sAMAccountName, uid
  std::vector<std::string> login_attributes;  // matched against logins, first = name_attribute
  std::string display_name_attribute;       // displayName
  std::string home_attribute;               // homeDirectory
  std::string address_attribute;            // proxyAddresses, mail; empty: none
  AddressFormat address_format = AddressFormat::proxy_addresses;
  std::string mailbox_limit_attribute;      // the user's mailbox limit in bytes; empty: none
  std::string member_of_attribute;          // memberOf
  std::string group_name_attribute;         // sAMAccountName (AD), cn
  std::string group_member_attribute;       // member
  std::string group_member_uid_attribute;   // memberUid (posixGroup); empty: none
  bool account_flags = true;                // AD's userAccountControl and friends

  static DirectorySchema active_directory();
  static DirectorySchema generic_ldap();

  // The attributes a user lookup asks for. `with_home` false leaves the home
  // attribute out when the mailbox template does not use %HOME% (the original's
  // %USERNAME% optimisation).
  std::vector<std::string> user_attributes(bool with_home) const;
};

}  // namespace dirmail::directory
