#include "dirmail/delivery/route_policy.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

std::shared_ptr<const GatewayTable> table(std::string_view text) {
  auto t = parse_gateway_table(text, "gw.txt");
  EXPECT_TRUE(t.ok()) << t.error().message;
  return std::make_shared<const GatewayTable>(t.ok() ? *t : GatewayTable{});
}

const GatewayHost kSmartHost{"relay.example.net", 587, false};

TEST(RoutePolicy, WithoutSettingsExternalMailGoesByMxAndLocalMailStays) {
  RoutePolicy policy;
  auto external = policy.route("Example.ORG.", false);
  EXPECT_EQ(external.kind, RouteDecision::Kind::mx);
  EXPECT_EQ(external.domain, "example.org");
  EXPECT_EQ(policy.route("example.test", true).kind, RouteDecision::Kind::local);
}

TEST(RoutePolicy, SmartHostTakesAllExternalMail) {
  RoutePolicy policy(nullptr, kSmartHost, false);
  auto d = policy.route("example.org", false);
  EXPECT_EQ(d.kind, RouteDecision::Kind::gateway);
  EXPECT_EQ(d.gateway, kSmartHost);
  EXPECT_EQ(d.reason, "delivery.smtp_gateway");
  EXPECT_EQ(policy.route("example.test", true).kind, RouteDecision::Kind::local);
}

TEST(RoutePolicy, TableComesBeforeTheSmartHost) {
  RoutePolicy policy(table("*.branch.example,gw-branch.example.net,465*\n"), kSmartHost, false);
  auto d = policy.route("tokyo.branch.example", false);
  EXPECT_EQ(d.kind, RouteDecision::Kind::gateway);
  EXPECT_EQ(d.gateway, (GatewayHost{"gw-branch.example.net", 465, true}));
  EXPECT_EQ(d.reason, "gateway table gw.txt:1");
  EXPECT_EQ(policy.route("example.org", false).gateway, kSmartHost);
}

TEST(RoutePolicy, TableWithoutSmartHostFallsBackToMx) {
  RoutePolicy policy(table("*.branch.example,gw-branch.example.net,25\n"), std::nullopt, false);
  EXPECT_EQ(policy.route("a.branch.example", false).kind, RouteDecision::Kind::gateway);
  EXPECT_EQ(policy.route("branch.example", false).kind, RouteDecision::Kind::mx);
}

TEST(RoutePolicy, TableDoesNotTakeLocalMailUnlessAllGoesToTheGateway) {
  auto t = table("example.test,mailbox-server.example.net,25\n");
  RoutePolicy normal(t, kSmartHost, false);
  EXPECT_EQ(normal.route("example.test", true).kind, RouteDecision::Kind::local);

  RoutePolicy all(t, kSmartHost, true);
  auto named = all.route("example.test", true);
  EXPECT_EQ(named.kind, RouteDecision::Kind::gateway);
  EXPECT_EQ(named.gateway.host, "mailbox-server.example.net");
  auto other = all.route("other.test", true);
  EXPECT_EQ(other.kind, RouteDecision::Kind::gateway);
  EXPECT_EQ(other.gateway, kSmartHost);
  EXPECT_EQ(other.reason, "delivery.all_to_gateway");
}

TEST(RoutePolicy, AllToGatewayWithoutGatewayKeepsLocalMailLocal) {
  // check_route_settings refuses this; the policy still never sends local mail by MX.
  RoutePolicy policy(nullptr, std::nullopt, true);
  EXPECT_EQ(policy.route("example.test", true).kind, RouteDecision::Kind::local);
}

}  // namespace
}  // namespace dirmail::delivery
