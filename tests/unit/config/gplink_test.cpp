// gPLink: the links of a domain or OU, in link order (the last one written has link
// order 1), with their disabled and enforced flags.
#include "dirmail/config/gplink.hpp"

#include <gtest/gtest.h>

namespace dirmail::config {
namespace {

const std::string kDefaultDomainPolicy = "{31B2F340-016D-11D2-945F-00C04FB984F9}";
const std::string kMail = "{6AC1786C-016F-11D2-945F-00C04FB984F9}";

std::string link(std::string_view guid, int options) {
  return "[LDAP://cn=" + std::string(guid) + ",cn=policies,cn=system,DC=example,DC=com;" + std::to_string(options) +
         "]";
}

std::string parse_error(std::string_view attribute) {
  auto links = parse_gplink(attribute);
  if (links.ok()) return "(parsed fine)";
  return links.error().message;
}

TEST(GpLink, ReadsLinksInLinkOrder) {
  auto links = parse_gplink(link(kMail, 0) + link(kDefaultDomainPolicy, 0));
  ASSERT_TRUE(links.ok()) << links.error().message;
  ASSERT_EQ(links->size(), 2u);
  // Written last: link order 1.
  EXPECT_EQ((*links)[0].guid, kDefaultDomainPolicy);
  EXPECT_EQ((*links)[0].gpo_dn, "cn=" + kDefaultDomainPolicy + ",cn=policies,cn=system,DC=example,DC=com");
  EXPECT_EQ((*links)[1].guid, kMail);
}

TEST(GpLink, ReadsTheOptions) {
  auto links = parse_gplink(link(kMail, 3) + link(kMail, 2) + link(kMail, 1) + link(kMail, 0));
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->size(), 4u);
  EXPECT_FALSE((*links)[0].disabled);
  EXPECT_FALSE((*links)[0].enforced);
  EXPECT_TRUE((*links)[1].disabled);
  EXPECT_FALSE((*links)[1].enforced);
  EXPECT_FALSE((*links)[2].disabled);
  EXPECT_TRUE((*links)[2].enforced);
  EXPECT_TRUE((*links)[3].disabled);
  EXPECT_TRUE((*links)[3].enforced);
}

TEST(GpLink, CanonicalisesTheGuidAndAcceptsOtherSpellings) {
  auto links = parse_gplink(
      " [ldap://CN={6ac1786c-016f-11d2-945f-00c04fb984f9},CN=Policies,CN=System,DC=example,DC=com;0] "
      "[LDAP://dc1.example.com/cn=" +
      kDefaultDomainPolicy + ",cn=policies,cn=system,DC=example,DC=com;0][ ]");
  ASSERT_TRUE(links.ok()) << links.error().message;
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[1].guid, kMail);
  EXPECT_EQ((*links)[0].gpo_dn, "cn=" + kDefaultDomainPolicy + ",cn=policies,cn=system,DC=example,DC=com");
}

TEST(GpLink, BlankMeansNoLinks) {
  for (std::string_view blank : {"", " ", "[ ]"}) {
    auto links = parse_gplink(blank);
    ASSERT_TRUE(links.ok()) << blank;
    EXPECT_TRUE(links->empty());
  }
}

TEST(GpLink, FormatsWhatItParses) {
  const std::string text = link(kMail, 2) + link(kDefaultDomainPolicy, 1);
  auto links = parse_gplink(text);
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(format_gplink(*links), text);
}

TEST(GpLink, RefusesMalformedLinks) {
  EXPECT_EQ(parse_error("LDAP://cn=" + kMail + ",cn=x;0]"), "gPLink byte 0: expected '[' to open a link");
  EXPECT_EQ(parse_error(link(kMail, 0) + "[LDAP://cn=" + kMail + ",cn=x;0"),
            "gPLink byte 92: a link has no closing ']'");
  EXPECT_EQ(parse_error("[cn=" + kMail + ",cn=x;0]"), "gPLink byte 1: a link must start with \"LDAP://\"");
  EXPECT_EQ(parse_error("[LDAP://cn=" + kMail + ",cn=x]"), "gPLink byte 1: a link has no ';' before its options");
  EXPECT_EQ(parse_error("[LDAP://cn=Default,cn=x;0]"), "gPLink byte 8: the DN does not start with cn={GUID}");
  EXPECT_EQ(parse_error("[LDAP://cn={6AC1786C-016F-11D2-945F-00C04FB984F},cn=x;0]"),
            "gPLink byte 8: the DN does not start with cn={GUID}");
  EXPECT_EQ(parse_error("[LDAP://cn=" + kMail + ";0]"), "gPLink byte 8: the DN has only the GPO's name");
  EXPECT_EQ(parse_error("[LDAP://cn=" + kMail + ",cn=x;yes]"),
            "gPLink byte 55: the link options are not a 32-bit decimal number");
  EXPECT_EQ(parse_error("[LDAP://cn=" + kMail + ",cn=x;4294967296]"),
            "gPLink byte 55: the link options are not a 32-bit decimal number");
}

TEST(GpLink, EnforcesItsLimits) {
  std::string many;
  for (std::size_t i = 0; i <= kMaxGpLinks; ++i) many += "[LDAP://cn=" + kMail + ",c;0]";
  ASSERT_LE(many.size(), kMaxGpLinkBytes);
  auto counted = parse_gplink(many);
  ASSERT_FALSE(counted.ok());
  EXPECT_EQ(counted.error().code, ErrorCode::limit_exceeded);

  auto long_attribute = parse_gplink(std::string(kMaxGpLinkBytes + 1, ' '));
  ASSERT_FALSE(long_attribute.ok());
  EXPECT_EQ(long_attribute.error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::config
