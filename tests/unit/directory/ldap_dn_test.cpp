// DNs built from untrusted names (RFC 4514) and a naming context's DNS name.
#include "dirmail/directory/ldap_dn.hpp"

#include <gtest/gtest.h>

#include "dirmail/directory/user_entry_mapping.hpp"

namespace dirmail::directory {
namespace {

TEST(LdapDn, PlainNamesStayAsTheyAre) {
  EXPECT_EQ(escape_dn_value("yamada"), "yamada");
  EXPECT_EQ(escape_dn_value("abc.jp"), "abc.jp");
  EXPECT_EQ(escape_dn_value("山田 太郎"), "山田 太郎");
  EXPECT_EQ(child_dn("CN", "yamada", "CN=Users,DC=corp"), "CN=yamada,CN=Users,DC=corp");
}

TEST(LdapDn, SpecialCharactersCannotMakeAnotherRdn) {
  EXPECT_EQ(escape_dn_value("a,OU=Admins"), "a\\,OU\\=Admins");
  EXPECT_EQ(escape_dn_value("a+b\"c\\d<e>f;g"), "a\\+b\\\"c\\\\d\\<e\\>f\\;g");
  EXPECT_EQ(escape_dn_value("#x"), "\\#x");
  EXPECT_EQ(escape_dn_value(" x "), "\\ x\\ ");
  EXPECT_EQ(escape_dn_value(std::string("a\0b\n", 4)), "a\\00b\\0A");
  // The first RDN's value reads back as the name.
  for (std::string_view name : {"a,OU=Admins", "a+b", "#x", " x ", "back\\slash"}) {
    auto value = first_rdn_value(child_dn("CN", name, "CN=Users,DC=corp"));
    ASSERT_TRUE(value.ok()) << name;
    EXPECT_EQ(*value, std::string(name) == " x " ? "x" : std::string(name));  // first_rdn_value trims spaces
  }
}

TEST(LdapDn, NamingContextToDnsName) {
  EXPECT_EQ(*dns_name_of_naming_context("DC=corp,DC=example,DC=test"), "corp.example.test");
  EXPECT_EQ(*dns_name_of_naming_context("dc=Corp, dc=Example"), "corp.example");
  auto bad = dns_name_of_naming_context("OU=x,DC=corp");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(bad.error().message, "naming context \"OU=x,DC=corp\" has a component that is not DC=...");
  EXPECT_FALSE(dns_name_of_naming_context("").ok());
  EXPECT_FALSE(dns_name_of_naming_context("DC=").ok());
}

}  // namespace
}  // namespace dirmail::directory
