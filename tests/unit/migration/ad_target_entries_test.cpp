// The Active Directory target's entries (spec §22.7): the new user and mail domain
// group it writes, the names AD cannot take, and a user read back as the importer
// compares it (domains from direct memberships, the mark, the state).
#include "../../../src/migration/ad_target_entries.hpp"

#include <gtest/gtest.h>

namespace dirmail::migration {
namespace {

AdTargetLayout layout() {
  AdTargetLayout l;
  l.base_dn = "DC=corp,DC=example,DC=test";
  l.user_container = "OU=Imported,DC=corp,DC=example,DC=test";
  l.group_container = "OU=Mail,DC=corp,DC=example,DC=test";
  l.upn_suffix = "corp.example.test";
  l.mail_users_group_dn = "CN=IMSUsers,CN=Users,DC=corp,DC=example,DC=test";
  return l;
}

const std::vector<std::string>* values(const std::vector<directory::LdapAttribute>& attributes, std::string_view name) {
  for (const auto& a : attributes)
    if (a.name == name) return &a.values;
  return nullptr;
}

NewAccount yamada() {
  NewAccount a;
  a.row = {"yamada", "ignored", "山田太郎", "abc.jp", "C:\\home\\yamada", true, false, 1048576};
  a.password = "Pass-1234";
  a.origin = "accounts.tsv line 7";
  return a;
}

TEST(AdNewUser, IsCreatedDisabledWithItsNamesAndTheMark) {
  auto l = layout();
  NewAccount a = yamada();
  EXPECT_EQ(new_user_dn(a, l), "CN=yamada,OU=Imported,DC=corp,DC=example,DC=test");
  auto attributes = new_user_attributes(a, l);
  ASSERT_NE(values(attributes, "objectClass"), nullptr);
  EXPECT_EQ(*values(attributes, "objectClass"),
            (std::vector<std::string>{"top", "person", "organizationalPerson", "user"}));
  EXPECT_EQ(*values(attributes, "sAMAccountName"), std::vector<std::string>{"yamada"});
  EXPECT_EQ(*values(attributes, "userPrincipalName"), std::vector<std::string>{"yamada@corp.example.test"});
  EXPECT_EQ(*values(attributes, "displayName"), std::vector<std::string>{"山田太郎"});
  EXPECT_EQ(*values(attributes, "homeDirectory"), std::vector<std::string>{"C:\\home\\yamada"});
  EXPECT_EQ(*values(attributes, "userAccountControl"), std::vector<std::string>{"514"});
  EXPECT_EQ(*values(attributes, "info"), std::vector<std::string>{"dirmail-import: accounts.tsv line 7"});
  // No password in the add, and no limit without a limit attribute.
  EXPECT_EQ(values(attributes, "unicodePwd"), nullptr);
  EXPECT_EQ(attributes.size(), 7u);
}

TEST(AdNewUser, LeavesEmptyValuesOutAndWritesTheLimitWhenKept) {
  auto l = layout();
  l.mailbox_limit_attribute = "mailQuota";
  NewAccount a = yamada();
  a.row.full_name.clear();
  a.row.home_folder.clear();
  auto attributes = new_user_attributes(a, l);
  EXPECT_EQ(values(attributes, "displayName"), nullptr);
  EXPECT_EQ(values(attributes, "homeDirectory"), nullptr);
  ASSERT_NE(values(attributes, "mailQuota"), nullptr);
  EXPECT_EQ(*values(attributes, "mailQuota"), std::vector<std::string>{"1048576"});
  a.row.mailbox_limit = 0;
  EXPECT_EQ(values(new_user_attributes(a, l), "mailQuota"), nullptr);
}

TEST(AdNewUser, NamesActiveDirectoryCannotTake) {
  EXPECT_EQ(sam_account_name_problem("yamada"), std::nullopt);
  EXPECT_EQ(sam_account_name_problem("ユーザー一"), std::nullopt);           // 5 characters, 15 octets
  EXPECT_EQ(sam_account_name_problem("abcdefghijklmnopqrst"), std::nullopt);  // 20
  EXPECT_EQ(sam_account_name_problem("abcdefghijklmnopqrstu"),
            "the account name has 21 characters; Active Directory takes at most 20");
  EXPECT_EQ(sam_account_name_problem("a,b"),
            "the account name has ',', which Active Directory does not take in a logon name");
  for (std::string_view bad : {"a[b", "a]b", "a;b", "a|b", "a=b", "a+b", "a*b", "a?b", "a<b", "a>b", "a\"b", "a/b",
                               "a\\b", "a:b"})
    EXPECT_TRUE(sam_account_name_problem(bad).has_value()) << bad;
  EXPECT_EQ(sam_account_name_problem(""), "the account name is empty");
  EXPECT_EQ(sam_account_name_problem(".. ."),
            "the account name is only dots and spaces, which Active Directory does not take");
  EXPECT_EQ(sam_account_name_problem("a\tb"), "the account name has a control character");
  EXPECT_EQ(sam_account_name_problem("a\xFF"), "the account name is not valid UTF-8");
}

TEST(AdImporterMark, CarriesTheOriginSafely) {
  EXPECT_EQ(importer_mark("accounts.tsv line 7"), "dirmail-import: accounts.tsv line 7");
  EXPECT_EQ(importer_mark(""), "dirmail-import:");
  EXPECT_EQ(importer_mark("a\nb line 1"), "dirmail-import: a\\x0ab line 1");
  EXPECT_EQ(importer_mark("\xFF.tsv line 1"), "dirmail-import: ?.tsv line 1");
  EXPECT_LE(importer_mark(std::string(5000, 'x')).size(), importer_mark_prefix.size() + 1 + max_mark_origin_bytes);
  EXPECT_TRUE(has_importer_mark("dirmail-import: accounts.tsv line 7"));
  EXPECT_TRUE(has_importer_mark(importer_mark("")));
  EXPECT_FALSE(has_importer_mark("created by hand"));
  EXPECT_FALSE(has_importer_mark(""));
}

TEST(AdMailDomainGroup, IsADomainLocalSecurityGroupNamedAfterTheDomain) {
  auto l = layout();
  EXPECT_EQ(domain_group_dn("abc.jp", l), "CN=abc.jp,OU=Mail,DC=corp,DC=example,DC=test");
  auto attributes = domain_group_attributes("abc.jp");
  EXPECT_EQ(*values(attributes, "objectClass"), (std::vector<std::string>{"top", "group"}));
  EXPECT_EQ(*values(attributes, "sAMAccountName"), std::vector<std::string>{"abc.jp"});
  EXPECT_EQ(*values(attributes, "groupType"), std::vector<std::string>{"-2147483644"});
  EXPECT_EQ(*values(attributes, "description"), std::vector<std::string>{"abc.jp"});
  EXPECT_EQ(domain_group_name_problem("abc.jp"), std::nullopt);
  EXPECT_TRUE(domain_group_name_problem("abc").has_value());
  EXPECT_TRUE(domain_group_name_problem("a,b.jp").has_value());
  EXPECT_EQ(domain_group_name_problem(std::string(61, 'a') + ".jp"), std::nullopt);  // 64
  EXPECT_EQ(domain_group_name_problem(std::string(62, 'a') + ".jp"),
            "the mail domain has 65 characters; a group's name (CN) takes at most 64");
}

TEST(AdMailDomainGroup, OnlyDottedDnsNamesLookLikeMailDomains) {
  EXPECT_TRUE(looks_like_mail_domain("example.test"));
  EXPECT_TRUE(looks_like_mail_domain("epost03.e-postinc.jp"));
  EXPECT_FALSE(looks_like_mail_domain("IMSUsers"));
  EXPECT_FALSE(looks_like_mail_domain("Domain Users"));
  EXPECT_FALSE(looks_like_mail_domain("Mail Users v1.2"));
  EXPECT_FALSE(looks_like_mail_domain("a..b"));
  EXPECT_FALSE(looks_like_mail_domain(".jp"));
  EXPECT_FALSE(looks_like_mail_domain("abc.jp."));
}

directory::LdapEntry user_entry() {
  directory::LdapEntry e;
  e.dn = "CN=yamada,OU=Imported,DC=corp,DC=example,DC=test";
  e.attributes = {
      {"sAMAccountName", {"Yamada"}},
      {"displayName", {"山田太郎"}},
      {"homeDirectory", {"C:\\home\\yamada"}},
      {"memberOf",
       {"CN=def.jp,OU=Mail,DC=corp,DC=example,DC=test", "cn=imsusers,cn=users,dc=corp,dc=example,dc=test",
        "CN=Staff,CN=Users,DC=corp,DC=example,DC=test", "CN=abc.jp,OU=Mail,DC=corp,DC=example,DC=test"}},
      {"userAccountControl", {"512"}},
      {"info", {"dirmail-import: accounts.tsv line 7"}},
      {"mailQuota", {"2048"}},
  };
  return e;
}

DomainGroups domain_groups() {
  return {{dn_key("CN=abc.jp,OU=Mail,DC=corp,DC=example,DC=test"), "abc.jp"},
          {dn_key("CN=def.jp,OU=Mail,DC=corp,DC=example,DC=test"), "def.jp"},
          {dn_key("CN=ghi.jp,OU=Mail,DC=corp,DC=example,DC=test"), "ghi.jp"}};
}

TEST(AdUserReadBack, DomainsAreTheDirectDomainGroups) {
  auto l = layout();
  l.mailbox_limit_attribute = "mailQuota";
  TargetAccount t = target_account_from_entry(user_entry(), l, domain_groups());
  EXPECT_EQ(t.account, "Yamada");
  EXPECT_EQ(t.display_name, "山田太郎");
  EXPECT_EQ(t.home_folder, "C:\\home\\yamada");
  EXPECT_EQ(t.domains, (std::vector<std::string>{"abc.jp", "def.jp"}));
  EXPECT_TRUE(t.mail_user);
  EXPECT_TRUE(t.imported);
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.mailbox_limit, 2048u);

  SoftAccount row = soft_account_from_target(t);
  EXPECT_EQ(row, (SoftAccount{"Yamada", "", "山田太郎", "abc.jp", "C:\\home\\yamada", false, false, 2048}));
}

TEST(AdUserReadBack, AUserOfNoGroupNoMarkAndDisabled) {
  directory::LdapEntry e;
  e.dn = "CN=suzuki,CN=Users,DC=corp,DC=example,DC=test";
  e.attributes = {{"sAMAccountName", {"suzuki"}}, {"userAccountControl", {"514"}}, {"info", {"hand made"}},
                  {"mailQuota", {"2048"}}};
  TargetAccount t = target_account_from_entry(e, layout(), domain_groups());  // no limit attribute configured
  EXPECT_EQ(t.display_name, "");
  EXPECT_TRUE(t.domains.empty());
  EXPECT_FALSE(t.mail_user);
  EXPECT_FALSE(t.imported);
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.mailbox_limit, 0u);
  EXPECT_EQ(soft_account_from_target(t).domain, "");  // blank, spec §16
}

TEST(AdUserReadBack, ALimitThatIsNoNumberIsNone) {
  auto l = layout();
  l.mailbox_limit_attribute = "mailQuota";
  directory::LdapEntry e = user_entry();
  e.attributes.back() = {"mailQuota", {"-5"}};
  EXPECT_EQ(target_account_from_entry(e, l, {}).mailbox_limit, 0u);
  e.attributes.back() = {"mailQuota", {"99999999999999999999"}};
  EXPECT_EQ(target_account_from_entry(e, l, {}).mailbox_limit, 0u);
}

TEST(AdUserReadBack, TheLookupAsksForTheLimitOnlyWhenKept) {
  auto l = layout();
  EXPECT_EQ(user_attributes(l), (std::vector<std::string>{"sAMAccountName", "displayName", "homeDirectory", "memberOf",
                                                          "userAccountControl", "info"}));
  l.mailbox_limit_attribute = "mailQuota";
  EXPECT_EQ(user_attributes(l).back(), "mailQuota");
}

TEST(AdRowCheck, RefusesWhatCreateWouldRefuseFromTheRowAlone) {
  auto row = [](std::string account, std::string domain) {
    SoftAccount r;
    r.account = std::move(account);
    r.domain = std::move(domain);
    return r;
  };
  EXPECT_EQ(ad_row_problem(row("yamada", "abc.jp")), std::nullopt);
  EXPECT_EQ(ad_row_problem(row("yamada", "")), std::nullopt);  // no domain group
  EXPECT_EQ(ad_row_problem(row("", "abc.jp")), "the account name is empty");
  EXPECT_EQ(ad_row_problem(row("abcdefghijklmnopqrstu", "abc.jp")),
            "the account name has 21 characters; Active Directory takes at most 20");
  for (std::string_view bad : {"a\"b", "a/b", "a\\b", "a[b", "a]b", "a:b", "a;b", "a|b", "a=b", "a,b", "a+b", "a*b",
                               "a?b", "a<b", "a>b"})
    EXPECT_TRUE(ad_row_problem(row(std::string(bad), "abc.jp")).has_value()) << bad;
  // The account's problem comes first.
  EXPECT_EQ(ad_row_problem(row("a,b", "Administrators")),
            "the account name has ',', which Active Directory does not take in a logon name");
}

TEST(AdRowCheck, ADomainMustBeAMailDomainNameNotAnyGroupName) {
  auto with_domain = [](std::string domain) {
    SoftAccount r;
    r.account = "yamada";
    r.domain = std::move(domain);
    return ad_row_problem(r);
  };
  EXPECT_EQ(with_domain("Administrators"),
            "\"Administrators\" is not a domain name with a dot, so it cannot name a mail domain group");
  for (std::string_view builtin : {"Domain Admins", "DnsAdmins", "Enterprise Admins", "Account Operators",
                                   "IMSUsers", "a b.jp", "abc.jp.", ".jp", "a..jp", "ab\nc.jp", "ab/c.jp"})
    EXPECT_TRUE(with_domain(std::string(builtin)).has_value()) << builtin;
  EXPECT_EQ(with_domain("mail.example.co.jp"), std::nullopt);
  EXPECT_EQ(with_domain("e-post_03.jp"), std::nullopt);
}

directory::LdapEntry group_entry(std::string name, std::string group_type) {
  directory::LdapEntry e;
  e.dn = "CN=" + name + ",OU=Mail,DC=corp,DC=example,DC=test";
  e.attributes = {{"objectClass", {"top", "group"}}, {"sAMAccountName", {name}}, {"groupType", {group_type}}};
  return e;
}

TEST(AdMailDomainGroup, AGroupTheImporterOrAnAdministratorMadeIsOne) {
  EXPECT_EQ(mail_domain_group_problem(group_entry("abc.jp", "-2147483644"), "abc.jp"), std::nullopt);  // domain local
  EXPECT_EQ(mail_domain_group_problem(group_entry("abc.jp", "-2147483646"), "ABC.jp"), std::nullopt);  // global
  EXPECT_EQ(mail_domain_group_problem(group_entry("abc.jp", "-2147483640"), "abc.jp"), std::nullopt);  // universal
  EXPECT_EQ(domain_group_lookup_attributes(), (std::vector<std::string>{"objectClass", "sAMAccountName", "groupType",
                                                                        "isCriticalSystemObject", "adminCount"}));
}

TEST(AdMailDomainGroup, BuiltinAndPrivilegedGroupsAreNever) {
  const std::string privileged =
      "the group \"abc.jp\" is a builtin or privileged group of the domain, not a mail domain group: no user is "
      "added to it";
  // Builtin local groups (Administrators: -2147483643) carry groupType's bit 0x1.
  EXPECT_EQ(mail_domain_group_problem(group_entry("abc.jp", "-2147483643"), "abc.jp"), privileged);
  auto critical = group_entry("abc.jp", "-2147483646");
  critical.attributes.push_back({"isCriticalSystemObject", {"TRUE"}});
  EXPECT_EQ(mail_domain_group_problem(critical, "abc.jp"), privileged);
  auto protected_group = group_entry("abc.jp", "-2147483646");
  protected_group.attributes.push_back({"adminCount", {"1"}});
  EXPECT_EQ(mail_domain_group_problem(protected_group, "abc.jp"), privileged);
  auto not_critical = group_entry("abc.jp", "-2147483646");
  not_critical.attributes.push_back({"isCriticalSystemObject", {"FALSE"}});
  not_critical.attributes.push_back({"adminCount", {"0"}});
  EXPECT_EQ(mail_domain_group_problem(not_critical, "abc.jp"), std::nullopt);
}

TEST(AdMailDomainGroup, TheGroupMustBeAGroupOfThatName) {
  EXPECT_EQ(mail_domain_group_problem(group_entry("abd.jp", "-2147483644"), "abc.jp"),
            "the group \"abd.jp\" is not named \"abc.jp\"");
  auto user = group_entry("abc.jp", "-2147483644");
  user.attributes.front() = {"objectClass", {"top", "person", "user"}};
  EXPECT_EQ(mail_domain_group_problem(user, "abc.jp"), "the group \"abc.jp\" is not a group");
  EXPECT_EQ(mail_domain_group_problem(group_entry("abc.jp", ""), "abc.jp"), "the group \"abc.jp\" has no groupType");
}

TEST(AdUserReadBack, OnlyAMarkedDisabledUserWaitsForItsPassword) {
  directory::LdapEntry e = user_entry();
  EXPECT_FALSE(created_without_password(e));  // 512: enabled, its password set
  e.attributes[4] = {"userAccountControl", {"514"}};
  EXPECT_TRUE(created_without_password(e));
  e.attributes[5] = {"info", {"hand made"}};
  EXPECT_FALSE(created_without_password(e));  // disabled, but not the importer's
  e.attributes[5] = {"info", {"dirmail-import: accounts.tsv line 7"}};
  e.attributes[4] = {"userAccountControl", {"544"}};
  EXPECT_FALSE(created_without_password(e));
  e.attributes[4] = {"userAccountControl", {""}};
  EXPECT_FALSE(created_without_password(e));  // unreadable: no password is set
}

}  // namespace
}  // namespace dirmail::migration
