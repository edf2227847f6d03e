#include "dirmail/directory/dc_discovery.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

std::vector<std::string> hosts(const std::vector<SrvTarget>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) out.push_back(t.host);
  return out;
}

TEST(DcDiscovery, SrvTargetsByPriorityThenWeight) {
  std::vector<SrvTarget> targets = {
      {"dc3.corp", 389, 10, 100}, {"dc1.corp", 389, 0, 10}, {"dc2.corp", 389, 0, 50}, {"DC1.corp", 389, 0, 5}};
  EXPECT_EQ(hosts(order_srv_targets(targets)), (std::vector<std::string>{"dc2.corp", "dc1.corp", "dc3.corp"}));
}

TEST(DcDiscovery, UrisUseLdapsOrTheSrvPort) {
  std::vector<SrvTarget> targets = {{"dc1.corp", 389, 0, 0}, {"dc2.corp", 3389, 0, 0}};
  EXPECT_EQ(domain_controller_uris(targets, true), (std::vector<std::string>{"ldaps://dc1.corp", "ldaps://dc2.corp"}));
  EXPECT_EQ(domain_controller_uris(targets, false),
            (std::vector<std::string>{"ldap://dc1.corp:389", "ldap://dc2.corp:3389"}));
}

TEST(DcDiscovery, NoRealmIsAConfigurationError) {
  auto found = discover_domain_controllers({});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace dirmail::directory
