#include "dirmail/directory/directory_schema.hpp"

namespace dirmail::directory {

DirectorySchema DirectorySchema::active_directory() {
  DirectorySchema s;
  s.kind = DirectoryKind::ad;
  s.user_filter = "(&(objectCategory=person)(objectClass=user))";
  s.group_filter = "(objectClass=group)";
  s.name_attribute = "sAMAccountName";
  s.login_attributes = {"sAMAccountName"};
  s.display_name_attribute = "displayName";
  s.home_attribute = "homeDirectory";
  s.address_attribute = "proxyAddresses";
  s.address_format = AddressFormat::proxy_addresses;
  s.member_of_attribute = "memberOf";
  s.group_name_attribute = "sAMAccountName";
  s.group_member_attribute = "member";
  s.account_flags = true;
  return s;
}

DirectorySchema DirectorySchema::generic_ldap() {
  DirectorySchema s;
  s.kind = DirectoryKind::ldap;
  s.user_filter = "(objectClass=inetOrgPerson)";
  s.group_filter = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))";
  s.name_attribute = "uid";
  s.login_attributes = {"uid"};
  s.display_name_attribute = "displayName";
  s.home_attribute = "homeDirectory";
  s.address_attribute = "mail";
  s.address_format = AddressFormat::plain;
  s.member_of_attribute = "memberOf";
  s.group_name_attribute = "cn";
  s.group_member_attribute = "member";
  s.group_member_uid_attribute = "memberUid";
  s.account_flags = false;
  return s;
}

std::vector<std::string> DirectorySchema::user_attributes(bool with_home) const {
  std::vector<std::string> attrs = {name_attribute, display_name_attribute, member_of_attribute};
  for (const auto& a : login_attributes)
    if (a != name_attribute) attrs.push_back(a);
  if (with_home && !home_attribute.empty()) attrs.push_back(home_attribute);
  if (!address_attribute.empty()) attrs.push_back(address_attribute);
  if (!mailbox_limit_attribute.empty()) attrs.push_back(mailbox_limit_attribute);
  if (kind == DirectoryKind::ldap && !display_name_attribute.empty()) attrs.push_back("cn");
  if (account_flags) {
    for (const char* a : {"userAccountControl", "msDS-User-Account-Control-Computed", "accountExpires", "pwdLastSet",
                          "lockoutTime"})
      attrs.push_back(a);
  }
  return attrs;
}

}  // namespace dirmail::directory
