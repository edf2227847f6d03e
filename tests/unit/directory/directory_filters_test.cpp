#include "dirmail/directory/directory_filters.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

TEST(DirectoryFilters, LoginLookupEscapesEveryValue) {
  auto ad = DirectorySchema::active_directory();
  EXPECT_EQ(user_by_login_filter(ad, "alice", "alice"),
            "(&(&(objectCategory=person)(objectClass=user))(|(sAMAccountName=alice)))");
  EXPECT_EQ(user_by_login_filter(ad, "*)(uid=*", "*)(uid=*"),
            "(&(&(objectCategory=person)(objectClass=user))(|(sAMAccountName=\\2a\\29\\28uid=\\2a)))");
  ad.login_attributes = {"sAMAccountName", "userPrincipalName"};
  EXPECT_EQ(user_by_login_filter(ad, "alice", "alice@corp.example.test"),
            "(&(&(objectCategory=person)(objectClass=user))"
            "(|(sAMAccountName=alice)(userPrincipalName=alice@corp.example.test)))");
}

TEST(DirectoryFilters, NulAndNonUtf8BecomeEscapes) {
  auto ldap = DirectorySchema::generic_ldap();
  std::string evil("a\0b\xff", 4);
  EXPECT_EQ(user_by_login_filter(ldap, evil, evil), "(&(objectClass=inetOrgPerson)(|(uid=a\\00b\\ff)))");
}

TEST(DirectoryFilters, AddressLookupUsesProxyAddressesOrMail) {
  EXPECT_EQ(user_by_address_filter(DirectorySchema::active_directory(), "alice.example", "alice.example@example.test"),
            "(&(&(objectCategory=person)(objectClass=user))"
            "(|(sAMAccountName=alice.example)(proxyAddresses=smtp:alice.example@example.test)))");
  EXPECT_EQ(user_by_address_filter(DirectorySchema::generic_ldap(), "bob", "bob@example.test"),
            "(&(objectClass=inetOrgPerson)(|(uid=bob)(mail=bob@example.test)))");
}

TEST(DirectoryFilters, MailUsersUseTheInChainRuleOnlyForNestedAd) {
  auto ad = DirectorySchema::active_directory();
  EXPECT_EQ(mail_users_filter(ad, "CN=IMSUsers,CN=Users,DC=corp", true),
            "(&(&(objectCategory=person)(objectClass=user))"
            "(memberOf:1.2.840.113556.1.4.1941:=CN=IMSUsers,CN=Users,DC=corp))");
  EXPECT_EQ(mail_users_filter(ad, "CN=IMSUsers,CN=Users,DC=corp", false),
            "(&(&(objectCategory=person)(objectClass=user))(memberOf=CN=IMSUsers,CN=Users,DC=corp))");
  EXPECT_EQ(mail_users_filter(DirectorySchema::generic_ldap(), "cn=mail,dc=x", true),
            "(&(objectClass=inetOrgPerson)(memberOf=cn=mail,dc=x))");
  EXPECT_EQ(in_chain_member_filter("CN=Mail (all),DC=x"), "(memberOf:1.2.840.113556.1.4.1941:=CN=Mail \\28all\\29,DC=x)");
}

TEST(DirectoryFilters, GroupFilters) {
  auto ldap = DirectorySchema::generic_ldap();
  EXPECT_EQ(group_by_name_filter(DirectorySchema::active_directory(), "IMSUsers"),
            "(&(objectClass=group)(sAMAccountName=IMSUsers))");
  EXPECT_EQ(group_lists_user_filter(ldap, "mailusers", "uid=e,ou=people", "e"),
            "(&" + ldap.group_filter + "(cn=mailusers)(|(member=uid=e,ou=people)(memberUid=e)))");
}

TEST(DirectoryFilters, AdministratorFiltersMustBeOneParenthesisedFilter) {
  EXPECT_TRUE(looks_like_filter("(objectClass=user)"));
  EXPECT_TRUE(looks_like_filter("(&(objectClass=user)(!(cn=x\\29)))"));
  EXPECT_FALSE(looks_like_filter("objectClass=user"));
  EXPECT_FALSE(looks_like_filter("(a=b)(c=d)"));
  EXPECT_FALSE(looks_like_filter("(a=b"));
  EXPECT_FALSE(looks_like_filter(std::string("(a=\0)", 5)));
}

}  // namespace
}  // namespace dirmail::directory
