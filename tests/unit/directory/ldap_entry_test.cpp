#include <gtest/gtest.h>

#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {
namespace {

LdapEntry sample() {
  LdapEntry entry;
  entry.dn = "CN=alice,CN=Users,DC=corp,DC=example,DC=test";
  entry.attributes = {
      {"sAMAccountName", {"alice"}},
      {"proxyAddresses", {"SMTP:alice@example.test", "smtp:a@example.test"}},
      {"member;range=0-1499", {"CN=a", "CN=b"}},
      {"objectSid", {std::string("\x01\x05\x00\x00\x00\x00\x00\x05", 8)}},
      {"description", {}},
  };
  return entry;
}

TEST(LdapEntry, LooksUpNamesCaseInsensitively) {
  LdapEntry entry = sample();
  ASSERT_NE(entry.values("samaccountname"), nullptr);
  EXPECT_EQ(entry.first("SAMACCOUNTNAME"), "alice");
  EXPECT_EQ(entry.values("PROXYADDRESSES")->size(), 2u);
  EXPECT_EQ(entry.first("proxyAddresses"), "SMTP:alice@example.test");
}

TEST(LdapEntry, AbsentAndEmpty) {
  LdapEntry entry = sample();
  EXPECT_EQ(entry.values("mail"), nullptr);
  EXPECT_EQ(entry.first("mail"), "");
  ASSERT_NE(entry.values("description"), nullptr);
  EXPECT_EQ(entry.first("description"), "");
  EXPECT_EQ(entry.values(""), nullptr);
  EXPECT_EQ(entry.values("sAMAccount"), nullptr);  // a prefix is not a name
}

TEST(LdapEntry, RangedAttributeByItsBaseName) {
  LdapEntry entry = sample();
  const auto* members = entry.values("Member");
  ASSERT_NE(members, nullptr);
  EXPECT_EQ(*members, (std::vector<std::string>{"CN=a", "CN=b"}));
  EXPECT_EQ(entry.values("member;range=0-1499"), members);
  EXPECT_EQ(entry.values("member;range=1500-*"), nullptr);
  EXPECT_EQ(entry.values("mem"), nullptr);
}

TEST(LdapEntry, ExactNameBeatsARangedOne) {
  LdapEntry entry;
  entry.attributes = {{"member;range=0-1", {"CN=ranged"}}, {"member", {"CN=whole"}}};
  EXPECT_EQ(entry.first("member"), "CN=whole");
}

TEST(LdapEntry, ValuesStayBinary) {
  LdapEntry entry = sample();
  std::string sid = entry.first("objectSid");
  ASSERT_EQ(sid.size(), 8u);
  EXPECT_EQ(sid[2], '\0');
  EXPECT_EQ(static_cast<unsigned char>(sid[7]), 5u);
}

}  // namespace
}  // namespace dirmail::directory
