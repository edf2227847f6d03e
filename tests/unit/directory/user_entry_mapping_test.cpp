#include "dirmail/directory/user_entry_mapping.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "dirmail/directory/account_policy.hpp"
#include "dirmail/directory/ad_account_flags.hpp"

namespace dirmail::directory {
namespace {

using Values = std::vector<std::string>;

LdapEntry alice_entry() {
  LdapEntry e;
  e.dn = "CN=alice,CN=Users,DC=corp,DC=example,DC=test";
  e.attributes = {
      {"sAMAccountName", {"Alice"}},
      {"displayName", {"Alice Example"}},
      {"homeDirectory", {"\\\\fileserver\\home\\alice"}},
      {"memberOf", {"CN=IMSUsers,CN=Users,DC=corp,DC=example,DC=test", "CN=example.test,CN=Users,DC=corp,DC=example,DC=test"}},
      {"proxyAddresses", {"SMTP:Alice@Example.Test", "smtp:alice.example@example.test", "X400:c=JP;a= ;p=Corp", "sip:alice@example.test"}},
      {"userAccountControl", {"512"}},
      {"pwdLastSet", {"133000000000000000"}},
      {"accountExpires", {"9223372036854775807"}},
  };
  return e;
}

MappingContext mail_user() {
  MappingContext c;
  c.mail_domains = {"other.test", "example.test"};
  c.is_mail_user = true;
  c.now_filetime = unix_to_filetime(1800000000);
  return c;
}

TEST(UserEntryMapping, MapsAnAdUser) {
  auto mapped = map_user_entry(alice_entry(), DirectorySchema::active_directory(), mail_user());
  ASSERT_TRUE(mapped.ok()) << mapped.error().message;
  const Account& a = mapped->account;
  EXPECT_EQ(a.name, "alice");  // canonical: it names the mailbox folder
  EXPECT_EQ(a.display_name, "Alice Example");
  EXPECT_EQ(a.home, "\\\\fileserver\\home\\alice");
  EXPECT_EQ(a.domain, "example.test");  // from the group named after the domain
  EXPECT_EQ(a.groups, (Values{"IMSUsers", "example.test"}));
  EXPECT_EQ(a.addresses, (Values{"alice.example@example.test", "alice@example.test"}));
  EXPECT_EQ(mapped->primary_address, "alice@example.test");
  EXPECT_EQ(a.state, AccountState::active);
  EXPECT_EQ(a.dn, "CN=alice,CN=Users,DC=corp,DC=example,DC=test");
}

TEST(UserEntryMapping, DomainFallsBackToThePrimaryAddressThenTheFirstMailDomain) {
  auto e = alice_entry();
  e.attributes[3].second = {"CN=IMSUsers,CN=Users,DC=corp"};
  auto mapped = map_user_entry(e, DirectorySchema::active_directory(), mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.domain, "example.test");
  e.attributes[4].second = {};
  mapped = map_user_entry(e, DirectorySchema::active_directory(), mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.domain, "other.test");
}

TEST(UserEntryMapping, SeveralDomainGroupsAreReportedInConfiguredOrder) {
  auto e = alice_entry();
  e.attributes[3].second.push_back("CN=other.test,CN=Users,DC=corp");
  auto mapped = map_user_entry(e, DirectorySchema::active_directory(), mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->domain_groups, (Values{"other.test", "example.test"}));
  EXPECT_EQ(mapped->account.domain, "other.test");
}

TEST(UserEntryMapping, AccountStatesFromAdFlags) {
  auto schema = DirectorySchema::active_directory();
  struct Case {
    std::string attribute, value;
    AccountState state;
  };
  for (const Case& c : {Case{"userAccountControl", "514", AccountState::disabled},
                        Case{"msDS-User-Account-Control-Computed", "16", AccountState::locked},
                        Case{"msDS-User-Account-Control-Computed", "8388608", AccountState::password_expired},
                        Case{"pwdLastSet", "0", AccountState::must_change_password},
                        Case{"accountExpires", "1", AccountState::expired},
                        Case{"accountExpires", "0", AccountState::active}}) {
    auto e = alice_entry();
    bool replaced = false;
    for (auto& [name, values] : e.attributes)
      if (name == c.attribute) {
        values = {c.value};
        replaced = true;
      }
    if (!replaced) e.attributes.push_back({c.attribute, {c.value}});
    auto mapped = map_user_entry(e, schema, mail_user());
    ASSERT_TRUE(mapped.ok());
    EXPECT_EQ(mapped->account.state, c.state) << c.attribute << "=" << c.value;
  }
}

TEST(UserEntryMapping, MustChangeWinsOverTheComputedExpiredFlag) {
  // AD sets UF_PASSWORD_EXPIRED in the computed flags when pwdLastSet is 0.
  auto e = alice_entry();
  e.attributes.push_back({"msDS-User-Account-Control-Computed", {"8388608"}});
  for (auto& [name, values] : e.attributes)
    if (name == "pwdLastSet") values = {"0"};
  auto mapped = map_user_entry(e, DirectorySchema::active_directory(), mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.state, AccountState::must_change_password);
}

TEST(UserEntryMapping, NotAMemberOfTheMailGroup) {
  auto c = mail_user();
  c.is_mail_user = false;
  auto mapped = map_user_entry(alice_entry(), DirectorySchema::active_directory(), c);
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.state, AccountState::not_mail_user);
  apply_state_policy(mapped->account, {});
  EXPECT_FALSE(mapped->account.may_log_in);
  EXPECT_FALSE(mapped->account.may_receive);
}

TEST(UserEntryMapping, NamesThatCannotNameAFolderAreRefused) {
  for (const char* bad : {"", "a b", "../x", ".hidden", "a/b", "x\\y"}) {
    auto e = alice_entry();
    e.attributes[0].second = {bad};
    auto mapped = map_user_entry(e, DirectorySchema::active_directory(), mail_user());
    EXPECT_FALSE(mapped.ok()) << bad;
  }
  LdapEntry empty;
  empty.dn = "CN=x";
  EXPECT_FALSE(map_user_entry(empty, DirectorySchema::active_directory(), mail_user()).ok());
}

TEST(UserEntryMapping, GenericLdapUser) {
  LdapEntry e;
  e.dn = "uid=ldapbob,ou=people,dc=example,dc=test";
  e.attributes = {{"uid", {"ldapbob"}},
                  {"cn", {"Bob LDAP"}},
                  {"mail", {"Bob@Example.Test", "not an address"}},
                  {"memberOf", {"cn=mailusers,ou=groups,dc=example,dc=test"}}};
  auto mapped = map_user_entry(e, DirectorySchema::generic_ldap(), mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.name, "ldapbob");
  EXPECT_EQ(mapped->account.display_name, "Bob LDAP");
  EXPECT_EQ(mapped->account.addresses, (Values{"bob@example.test"}));
  EXPECT_EQ(mapped->account.state, AccountState::active);
}

TEST(UserEntryMapping, MailboxLimitComesFromTheConfiguredAttributeOnly) {
  auto schema = DirectorySchema::active_directory();
  auto e = alice_entry();
  e.attributes.push_back({"mailQuota", {"5000"}});
  auto mapped = map_user_entry(e, schema, mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.mailbox_limit, 0u);  // no attribute configured
  schema.mailbox_limit_attribute = "mailQuota";
  const auto asked = schema.user_attributes(false);
  EXPECT_NE(std::find(asked.begin(), asked.end(), "mailQuota"), asked.end());
  mapped = map_user_entry(e, schema, mail_user());
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ(mapped->account.mailbox_limit, 5000u);
  // Not a positive number of bytes: no limit of the account's own.
  for (const char* bad : {"-1", "0", "5 MB", "", "99999999999999999999999"}) {
    e.attributes.back().second = {bad};
    mapped = map_user_entry(e, schema, mail_user());
    ASSERT_TRUE(mapped.ok());
    EXPECT_EQ(mapped->account.mailbox_limit, 0u) << bad;
  }
}

TEST(FirstRdnValue, UndoesDnEscapes) {
  EXPECT_EQ(*first_rdn_value("CN=example.test,CN=Users,DC=corp"), "example.test");
  EXPECT_EQ(*first_rdn_value("CN=Smith\\, John,OU=x"), "Smith, John");
  EXPECT_EQ(*first_rdn_value("cn=a\\2Cb,dc=x"), "a,b");
  EXPECT_EQ(*first_rdn_value("cn = spaced ,dc=x"), "spaced");
  EXPECT_FALSE(first_rdn_value("no equals").ok());
  EXPECT_FALSE(first_rdn_value("cn=,dc=x").ok());
  EXPECT_FALSE(first_rdn_value("cn=x\\").ok());
  EXPECT_FALSE(first_rdn_value(std::string(max_dn_length + 1, 'a')).ok());
}

TEST(SameDn, IgnoresCaseAndSpacesAroundSeparators) {
  EXPECT_TRUE(same_dn("CN=IMSUsers,CN=Users,DC=corp", "cn=imsusers, cn=users,dc=CORP"));
  EXPECT_FALSE(same_dn("CN=IMSUsers,CN=Users,DC=corp", "CN=IMSUsers2,CN=Users,DC=corp"));
}

TEST(AccountStatePolicy, EachStateFollowsItsPolicy) {
  AccountStatePolicies p;
  p.disabled = StatePolicy::refuse_mail;
  p.locked = StatePolicy::accept_mail;
  p.password_expired = StatePolicy::allow;
  Account a;
  a.state = AccountState::disabled;
  apply_state_policy(a, p);
  EXPECT_FALSE(a.may_log_in);
  EXPECT_FALSE(a.may_receive);
  a.state = AccountState::locked;
  apply_state_policy(a, p);
  EXPECT_FALSE(a.may_log_in);
  EXPECT_TRUE(a.may_receive);
  a.state = AccountState::must_change_password;
  apply_state_policy(a, p);
  EXPECT_TRUE(a.may_log_in);
  EXPECT_TRUE(a.may_receive);
  EXPECT_EQ(parse_state_policy("accept_mail"), StatePolicy::accept_mail);
  EXPECT_FALSE(parse_state_policy("maybe").has_value());
}

TEST(AdAccountFlags, FiletimeAndIntegers) {
  EXPECT_EQ(unix_to_filetime(0), 116444736000000000);
  EXPECT_EQ(parse_ad_integer("-1"), -1);
  EXPECT_FALSE(parse_ad_integer("12x").has_value());
  EXPECT_FALSE(parse_ad_integer("").has_value());
  EXPECT_FALSE(parse_ad_integer("99999999999999999999999").has_value());
}

}  // namespace
}  // namespace dirmail::directory
