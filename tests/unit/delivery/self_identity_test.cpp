#include "dirmail/delivery/self_identity.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

SelfIdentity self() {
  SelfIdentity s;
  s.names = {"mail.example.test"};
  s.listeners = {{"0.0.0.0", 25}, {"192.0.2.9", 2525}};
  s.local_addresses = {"127.0.0.1", "192.0.2.7", "192.0.2.9"};
  return s;
}

MailHost host(std::string name, std::uint16_t preference, std::string address) {
  return MailHost{std::move(name), preference, {std::move(address)}};
}

TEST(SelfIdentity, ByNameInAnyCase) {
  EXPECT_TRUE(self().is_self("Mail.Example.TEST.", "", 25));
  EXPECT_FALSE(self().is_self("mx.example.test", "", 25));
}

TEST(SelfIdentity, ByAddressAndPort) {
  auto s = self();
  EXPECT_TRUE(s.is_self("", "192.0.2.7", 25));    // a wildcard listener: any address of this machine
  EXPECT_TRUE(s.is_self("", "127.0.0.5", 25));    // and all of 127/8
  EXPECT_FALSE(s.is_self("", "192.0.2.8", 25));   // another machine
  EXPECT_FALSE(s.is_self("", "192.0.2.7", 2526)); // a peer on another port of this machine
  EXPECT_TRUE(s.is_self("", "192.0.2.9", 2525));  // a listener on one address
  EXPECT_FALSE(s.is_self("", "::1", 25));         // the wildcard is IPv4 only
}

TEST(SelfIdentity, SelfAndWorseHostsAreDropped) {
  MailRoute route;
  route.domain = "example.org";
  route.hosts = {host("mx1.example.org", 10, "192.0.2.50"), host("mail.example.test", 20, "192.0.2.7"),
                 host("mx2.example.org", 20, "192.0.2.51"), host("mx3.example.org", 30, "192.0.2.52")};
  ASSERT_TRUE(remove_self_and_worse(route, self(), 25).ok());
  ASSERT_EQ(route.hosts.size(), 1u);
  EXPECT_EQ(route.hosts[0].name, "mx1.example.org");
}

TEST(SelfIdentity, BestHostIsThisServerMeansALoop) {
  MailRoute route;
  route.domain = "example.org";
  route.hosts = {host("mx.example.org", 10, "127.0.0.1"), host("backup.example.org", 20, "192.0.2.50")};
  auto st = remove_self_and_worse(route, self(), 25);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(st.error().message, "mail for example.org loops back to myself");
}

TEST(SelfIdentity, OtherPortIsNoLoop) {
  MailRoute route;
  route.domain = "example.org";
  route.hosts = {host("mx.example.org", 10, "127.0.0.1")};
  ASSERT_TRUE(remove_self_and_worse(route, self(), 10025).ok());
  EXPECT_EQ(route.hosts.size(), 1u);
}

}  // namespace
}  // namespace dirmail::delivery
