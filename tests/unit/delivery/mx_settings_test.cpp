#include "dirmail/delivery/mx_settings.hpp"

#include <gtest/gtest.h>

#include "dirmail/config/loader.hpp"

namespace dirmail::delivery {
namespace {

config::Settings settings_with(const std::string& delivery_lines) {
  auto s = config::load_string("[delivery]\n" + delivery_lines + "\n", "test.toml", "/tmp");
  EXPECT_TRUE(s.ok()) << s.error().message;
  return *s;
}

TEST(MxSettings, DefaultsAreTheOriginals) {
  auto s = config::defaults("/tmp");
  EXPECT_EQ(s.delivery_mx_cache_lifetime, 864000);
  EXPECT_TRUE(s.delivery_dns_servers.empty());
  EXPECT_TRUE(check_mx_settings(s).empty());
  auto dns = dns_query_options(s);
  ASSERT_TRUE(dns.ok());
  EXPECT_TRUE(dns->servers.empty());  // /etc/resolv.conf
  EXPECT_EQ(dns->tries, 2);
}

TEST(MxSettings, ServersWithPortsAndIpv6) {
  auto s = settings_with(R"(dns_servers = ["192.0.2.53", "::1 5353", "127.0.0.1 53"]
dns_timeout = 250
dns_tries = 1)");
  auto dns = dns_query_options(s);
  ASSERT_TRUE(dns.ok()) << dns.error().message;
  ASSERT_EQ(dns->servers.size(), 3u);
  EXPECT_EQ(dns->servers[0].address, "192.0.2.53");
  EXPECT_EQ(dns->servers[0].port, 53);
  EXPECT_EQ(dns->servers[1].address, "::1");
  EXPECT_EQ(dns->servers[1].port, 5353);
  EXPECT_TRUE(dns->servers[1].ipv6);
  EXPECT_EQ(dns->timeout.count(), 250);
  EXPECT_EQ(dns->tries, 1);
}

TEST(MxSettings, AtMostThreeServers) {
  auto s = settings_with(R"(dns_servers = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"])");
  auto problems = check_mx_settings(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("delivery.dns_servers: ", 0), 0u) << problems[0];
  EXPECT_FALSE(make_mx_resolver(s).ok());
}

TEST(MxSettings, BadServerEntriesNameTheSetting) {
  for (std::string entry : {"dns.example.test", "127.0.0.1 99999", "127.0.0.1 53 54", "::1 port"}) {
    auto s = settings_with("dns_servers = [\"" + entry + "\"]");
    auto problems = check_mx_settings(s);
    ASSERT_EQ(problems.size(), 1u) << entry;
    EXPECT_EQ(problems[0].rfind("delivery.dns_servers: ", 0), 0u) << problems[0];
  }
}

TEST(MxSettings, CacheLifetimeZeroIsAllowed) {
  auto s = settings_with("mx_cache_lifetime = 0");
  EXPECT_EQ(s.delivery_mx_cache_lifetime, 0);
  EXPECT_TRUE(make_mx_resolver(s).ok());
}

TEST(MxSettings, AddressPreferenceValues) {
  EXPECT_EQ(*parse_address_preference("ipv4"), AddressPreference::ipv4_first);
  EXPECT_EQ(*parse_address_preference("ipv6_only"), AddressPreference::ipv6_only);
  EXPECT_FALSE(parse_address_preference("both").ok());
  auto bad = config::load_string("[delivery]\naddress_preference = \"both\"\n", "test.toml", "/tmp");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("delivery.address_preference"), std::string::npos);
}

}  // namespace
}  // namespace dirmail::delivery
