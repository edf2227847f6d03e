#include "dirmail/cluster/keepalived_config.hpp"

#include <gtest/gtest.h>

namespace dirmail::cluster {
namespace {

KeepalivedSettings node(bool primary) {
  KeepalivedSettings s;
  s.virtual_ip = "192.168.10.202/24";
  s.interface = "eth0";
  s.router_id = 51;
  s.primary = primary;
  s.health_command = {"/usr/bin/dirmailctl", "--config", "/etc/dirmail/dirmail.toml", "health"};
  s.promote_command = {"/usr/bin/dirmailctl", "--config", "/etc/dirmail/dirmail.toml", "cluster", "promote"};
  s.demote_command = {"/usr/bin/dirmailctl", "--config", "/etc/dirmail/dirmail.toml", "cluster", "demote"};
  return s;
}

std::string render(const KeepalivedSettings& s) {
  auto text = render_keepalived_config(s);
  EXPECT_TRUE(text) << text.error().message;
  return text ? *text : std::string();
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n    " + line + "\n") != std::string::npos || text.find("\n        " + line + "\n") != std::string::npos ||
         text.find("\n" + line + "\n") != std::string::npos;
}

void expect_refused(const KeepalivedSettings& s, const std::string& words) {
  auto text = render_keepalived_config(s);
  ASSERT_FALSE(text) << "rendered:\n" << *text;
  EXPECT_EQ(text.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(text.error().message.find(words), std::string::npos) << text.error().message;
}

TEST(KeepalivedConfig, TheOriginalsMasterAndStandbyBecomePriorities) {
  std::string primary = render(node(true));
  std::string secondary = render(node(false));
  EXPECT_TRUE(has_line(primary, "priority 150    # cluster.role = primary")) << primary;
  EXPECT_TRUE(has_line(secondary, "priority 100    # cluster.role = secondary")) << secondary;
  // Both start as BACKUP: the priority alone decides, after each has heard the other.
  EXPECT_TRUE(has_line(primary, "state BACKUP"));
  EXPECT_TRUE(has_line(secondary, "state BACKUP"));
  EXPECT_EQ(primary.find("state MASTER"), std::string::npos);
}

TEST(KeepalivedConfig, SettingsMapOntoTheVrrpInstance) {
  KeepalivedSettings s = node(true);
  s.router_id = 77;
  s.advert_interval_s = 10;  // the original's 30 s failover: 3 adverts
  s.failback_delay_s = 300;
  s.health_interval_s = 5;
  s.health_timeout_s = 3;  // PingTimeout
  s.health_failures = 4;
  std::string t = render(s);
  EXPECT_TRUE(has_line(t, "interface eth0")) << t;
  EXPECT_TRUE(has_line(t, "virtual_router_id 77")) << t;
  EXPECT_TRUE(has_line(t, "advert_int 10")) << t;
  EXPECT_TRUE(has_line(t, "preempt_delay 300")) << t;
  EXPECT_EQ(t.find("nopreempt"), std::string::npos);
  EXPECT_TRUE(has_line(t, "192.168.10.202/24 dev eth0")) << t;
  EXPECT_TRUE(has_line(t, "interval 5")) << t;
  EXPECT_TRUE(has_line(t, "timeout 3")) << t;
  EXPECT_TRUE(has_line(t, "fall 4")) << t;
  EXPECT_TRUE(has_line(t, "rise 4")) << t;
  EXPECT_TRUE(has_line(t, "script \"/usr/bin/dirmailctl --config /etc/dirmail/dirmail.toml health\"")) << t;
  EXPECT_TRUE(has_line(t, "dirmail_health")) << t;  // tracked by the instance
  EXPECT_EQ(t.find("unicast_peer"), std::string::npos);  // multicast by default
  EXPECT_EQ(t.find("version 3"), std::string::npos);
}

TEST(KeepalivedConfig, HooksPromoteOnMasterAndDemoteOnEveryWayOut) {
  std::string t = render(node(false));
  const std::string promote = "\"/usr/bin/dirmailctl --config /etc/dirmail/dirmail.toml cluster promote\"";
  const std::string demote = "\"/usr/bin/dirmailctl --config /etc/dirmail/dirmail.toml cluster demote\"";
  EXPECT_TRUE(has_line(t, "notify_master " + promote)) << t;
  EXPECT_TRUE(has_line(t, "notify_backup " + demote)) << t;
  EXPECT_TRUE(has_line(t, "notify_fault " + demote)) << t;
  EXPECT_TRUE(has_line(t, "notify_stop " + demote)) << t;
  EXPECT_TRUE(has_line(t, "enable_script_security")) << t;
}

TEST(KeepalivedConfig, NoFailbackMeansNopreempt) {
  KeepalivedSettings s = node(true);
  s.failback = false;
  std::string t = render(s);
  EXPECT_TRUE(has_line(t, "nopreempt")) << t;
  EXPECT_EQ(t.find("preempt_delay"), std::string::npos) << t;
}

TEST(KeepalivedConfig, UnicastPeersForNetworksWithoutMulticast) {
  KeepalivedSettings s = node(true);
  s.unicast_peers = {"192.168.10.201"};
  std::string t = render(s);
  EXPECT_NE(t.find("    unicast_peer {\n        192.168.10.201\n    }\n"), std::string::npos) << t;
}

TEST(KeepalivedConfig, AnIpv6PairSpeaksVrrpVersion3) {
  KeepalivedSettings s = node(true);
  s.virtual_ip = "2001:db8::25/64";
  s.unicast_peers = {"2001:db8::201"};
  std::string t = render(s);
  EXPECT_TRUE(has_line(t, "version 3")) << t;
  EXPECT_TRUE(has_line(t, "2001:db8::25/64 dev eth0")) << t;
}

TEST(KeepalivedConfig, PathsWithBlanksAreQuotedAsKeepalivedReadsThem) {
  KeepalivedSettings s = node(true);
  s.health_command = {"/opt/dirmail/bin/dirmailctl", "--config", "/etc/dirmail/site one.toml", "health"};
  std::string t = render(s);
  EXPECT_TRUE(has_line(t, "script \"/opt/dirmail/bin/dirmailctl --config '/etc/dirmail/site one.toml' health\""))
      << t;
}

TEST(KeepalivedConfig, RefusesWordsThatWouldChangeTheFilesMeaning) {
  for (const char* bad : {"/etc/dirmail/a\"b.toml", "/etc/dirmail/it's.toml", "/etc/dirmail\\x.toml",
                          "/etc/dirmail/a\nb.toml"}) {
    KeepalivedSettings s = node(true);
    s.demote_command = {"/usr/bin/dirmailctl", "--config", bad, "cluster", "demote"};
    expect_refused(s, "cannot go into keepalived.conf");
  }
}

TEST(KeepalivedConfig, RefusesInterfaceNamesLinuxCannotHave) {
  KeepalivedSettings s = node(true);
  s.interface = "";
  expect_refused(s, "cluster.interface is empty");
  // The original's -f took Windows connection names such as "Local Area Connection 2".
  for (const char* bad : {"Local Area Connection 2", "eth0 dev lo", "eth0}", "eth#0", "eth0:1", "a/b", "..",
                          "abcdefghijklmnop"}) {
    s.interface = bad;
    expect_refused(s, "cluster.interface");
  }
  s.interface = "enp3s0.100";  // a VLAN
  EXPECT_TRUE(render_keepalived_config(s));
}

TEST(KeepalivedConfig, RefusesBadAddressesAndNumbersWithTheSettingsName) {
  KeepalivedSettings s = node(true);
  s.virtual_ip = "192.168.10.202";
  expect_refused(s, "has no prefix length");
  s = node(true);
  s.unicast_peers = {"2001:db8::201"};
  expect_refused(s, "one address family");
  s = node(true);
  s.unicast_peers = {"192.168.10.202"};
  expect_refused(s, "lists the virtual IP");
  s = node(true);
  s.router_id = 256;
  expect_refused(s, "cluster.router_id is 256");
  s = node(true);
  s.failback_delay_s = 1001;
  expect_refused(s, "cluster.failback_delay is 1001: keepalived accepts 0..1000");
  s = node(true);
  s.advert_interval_s = 0;
  expect_refused(s, "cluster.advert_interval");
}

}  // namespace
}  // namespace dirmail::cluster
