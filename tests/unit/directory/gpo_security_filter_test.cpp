// Group Policy security filtering, with the descriptor Samba gives a new GPO and ones
// that leave a computer out.
#include <gtest/gtest.h>

#include <vector>

#include "dirmail/directory/gpo_discovery.hpp"
#include "dirmail/directory/gpo_security_filter.hpp"

namespace dirmail::directory {
namespace {

std::string bytes(std::initializer_list<unsigned> list) {
  std::string out;
  for (unsigned b : list) out += static_cast<char>(b);
  return out;
}

std::string le32(std::uint32_t v) { return bytes({v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24}); }
std::string le16(std::uint32_t v) { return bytes({v & 0xff, v >> 8 & 0xff}); }

const std::string kApplyGuid = bytes({0x8f, 0xfd, 0xac, 0xed, 0xb3, 0xff, 0xd1, 0x11, 0xb4, 0x1d, 0x00, 0xa0, 0xc9,
                                      0x68, 0xf9, 0x39});
const std::string kDomainComputers =
    bytes({1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 9, 0x48, 0xb9, 0x2a, 0xe9, 8, 0x6a, 0xcf, 0xef, 0x47, 0xb9, 0x7b,
           0x03, 0x02, 0, 0});

std::string ace(unsigned type, std::uint32_t mask, const std::string& sid, const std::string& object_type = "",
                unsigned flags = 0) {
  std::string body = le32(mask);
  if (type == 5 || type == 6) {
    body += le32(object_type.empty() ? 0 : 1);
    body += object_type;
  }
  body += sid;
  return bytes({type, flags}) + le16(static_cast<std::uint32_t>(4 + body.size())) + body;
}

// A self-relative descriptor holding only a DACL of `aces`.
std::string descriptor(const std::vector<std::string>& aces) {
  std::string list;
  for (const auto& a : aces) list += a;
  std::string acl = bytes({2, 0}) + le16(static_cast<std::uint32_t>(8 + list.size())) +
                    le16(static_cast<std::uint32_t>(aces.size())) + bytes({0, 0}) + list;
  return bytes({1, 0}) + le16(0x8004) + le32(0) + le32(0) + le32(0) + le32(20) + acl;
}

const std::uint32_t kRead = 0x20094;
const std::uint32_t kControlAccess = 0x100;

TEST(GpoSecurityFilter, AuthenticatedUsersReadAndApplyAsSambaCreatesAGpo) {
  const auto sd = descriptor({ace(0, kRead, authenticated_users_sid()),
                              ace(5, kControlAccess, authenticated_users_sid(), kApplyGuid)});
  const std::vector<std::string> token{everyone_sid(), authenticated_users_sid()};
  EXPECT_EQ(may_apply_gpo(sd, token).value(), true);
}

TEST(GpoSecurityFilter, FilteredToAGroupTheComputerIsNotIn) {
  const auto sd = descriptor({ace(0, kRead, authenticated_users_sid()),
                              ace(5, kControlAccess, kDomainComputers, kApplyGuid)});
  EXPECT_EQ(may_apply_gpo(sd, std::vector<std::string>{authenticated_users_sid()}).value(), false);
  EXPECT_EQ(may_apply_gpo(sd, std::vector<std::string>{authenticated_users_sid(), kDomainComputers}).value(), true);
}

TEST(GpoSecurityFilter, ADenyBeforeTheAllowWins) {
  const auto sd = descriptor({ace(6, kControlAccess, kDomainComputers, kApplyGuid),
                              ace(0, kRead | kControlAccess, authenticated_users_sid())});
  EXPECT_EQ(may_apply_gpo(sd, std::vector<std::string>{authenticated_users_sid(), kDomainComputers}).value(), false);
  EXPECT_EQ(may_apply_gpo(sd, std::vector<std::string>{authenticated_users_sid()}).value(), true);
}

TEST(GpoSecurityFilter, ApplyWithoutReadIsNotEnoughAndInheritOnlyAcesDoNotCount) {
  EXPECT_EQ(may_apply_gpo(descriptor({ace(5, kControlAccess, authenticated_users_sid(), kApplyGuid)}),
                          std::vector<std::string>{authenticated_users_sid()}).value(), false);
  EXPECT_EQ(may_apply_gpo(descriptor({ace(0, kRead | kControlAccess, authenticated_users_sid(), "", 0x08)}),
                          std::vector<std::string>{authenticated_users_sid()}).value(), false);
}

TEST(GpoSecurityFilter, AMalformedDescriptorIsAnError) {
  auto sd = descriptor({ace(0, kRead, authenticated_users_sid())});
  EXPECT_FALSE(may_apply_gpo(sd.substr(0, sd.size() - 3), std::vector<std::string>{}).ok());
  EXPECT_FALSE(may_apply_gpo("\x01", std::vector<std::string>{}).ok());
}

TEST(GpoSecurityFilter, SidText) {
  EXPECT_EQ(sid_text(authenticated_users_sid()), "S-1-5-11");
  EXPECT_EQ(sid_text(kDomainComputers), "S-1-5-21-716785673-3479832809-2075740143-515");
}

TEST(GpoDiscovery, ContainersFromTheDomainDownToTheComputers) {
  EXPECT_EQ(containers_above("CN=m1,OU=Mail,OU=Servers,DC=corp,DC=test", "DC=corp,DC=test"),
            (std::vector<std::string>{"DC=corp,DC=test", "OU=Servers,DC=corp,DC=test", "OU=Mail,OU=Servers,DC=corp,DC=test"}));
  EXPECT_EQ(containers_above("CN=m1,OU=a\\,b,DC=corp,DC=test", "dc=corp,dc=test"),
            (std::vector<std::string>{"DC=corp,DC=test", "OU=a\\,b,DC=corp,DC=test"}));
  EXPECT_EQ(containers_above("CN=m1,CN=Computers,DC=corp,DC=test", "DC=corp,DC=test"),
            (std::vector<std::string>{"DC=corp,DC=test", "CN=Computers,DC=corp,DC=test"}));
}

}  // namespace
}  // namespace dirmail::directory
