// Node-local settings: which settings each node keeps in its own file, and the lines
// of everything else that both nodes should agree on.
#include "dirmail/config/node_local_settings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "dirmail/config/loader.hpp"
#include "dirmail/config/reference.hpp"

namespace dirmail::config {
namespace {

TEST(NodeLocalSettings, NameTheNodeAndWhatReachesTheShare) {
  for (const char* name :
       {"server.node_name", "server.data_dir", "log.dir", "cluster.role", "cluster.interface", "cluster.unicast_peers",
        "cluster.shared_config", "store.backend", "store.path_map", "store.smb_credentials_file", "store.smb_logon",
        "store.smb_timeout", "store.smb_connections", "directory.keytab", "directory.principal",
        "policy.computer_account"}) {
    EXPECT_TRUE(node_local_setting(name)) << name;
  }
  // What both nodes agree on, a node's own listeners included (a node may override them).
  for (const char* name : {"server.hostname", "smtp.listen", "imap.listen", "smtp.refuse_on_addresses",
                           "store.root", "queue.dir", "cluster.virtual_ip", "cluster.router_id"}) {
    EXPECT_FALSE(node_local_setting(name)) << name;
  }
  EXPECT_FALSE(node_local_setting("no.such"));
}

TEST(NodeLocalSettings, EveryNameIsASettingListedInTableOrder) {
  const auto names = node_local_settings();
  EXPECT_EQ(names.size(), 16u);  // a misspelt name would be missing here
  std::size_t previous = 0;
  for (std::string_view name : names) {
    const SettingSpec* spec = find_setting(name);
    ASSERT_NE(spec, nullptr) << name;
    const auto index = static_cast<std::size_t>(spec - setting_specs().data());
    EXPECT_TRUE(name == names.front() || index > previous) << name;
    previous = index;
  }
}

TEST(NodeLocalSettings, TheReferenceMarksThem) {
  const std::string doc = render_settings_reference();
  EXPECT_NE(
      doc.find("| `cluster.role` | enum | `\"secondary\"` | one of `primary`, `secondary` | global, node-local |"),
      std::string::npos);
  EXPECT_NE(doc.find("| `cluster.virtual_ip` | string | `\"\"` |  | global |"), std::string::npos);
}

TEST(SharedSettingLines, EverySettingButTheNodeLocalOnesInTableOrder) {
  const Settings s = defaults("/etc/dirmail");
  const auto lines = shared_setting_lines(s);
  ASSERT_EQ(lines.size(), setting_specs().size() - node_local_settings().size());
  std::size_t i = 0;
  for (const SettingSpec& spec : setting_specs()) {
    if (node_local_setting(spec.name)) continue;
    EXPECT_EQ(lines[i].rfind(std::string(spec.name) + " = ", 0), 0u) << lines[i];
    ++i;
  }
  EXPECT_NE(std::find(lines.begin(), lines.end(), "smtp.max_recipients = 100"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "smtp.listen = [ \"0.0.0.0 25\" ]"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "cluster.failback = true"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "queue.dir = \"/var/lib/dirmail/queue\""), lines.end());
}

TEST(SharedSettingLines, ShowADifferenceAndHideANodeLocalOne) {
  auto a = load_string("[smtp]\nmax_recipients = 5\n[cluster]\nrole = \"primary\"\n", "a.toml", "/etc/dirmail");
  auto b = load_string("[cluster]\nrole = \"secondary\"\n", "b.toml", "/etc/dirmail");
  ASSERT_TRUE(a.ok() && b.ok());
  const auto lines_a = shared_setting_lines(*a);
  const auto lines_b = shared_setting_lines(*b);
  std::vector<std::string> differ;
  for (std::size_t i = 0; i < lines_a.size(); ++i) {
    if (lines_a[i] != lines_b[i]) differ.push_back(lines_a[i] + " / " + lines_b[i]);
  }
  EXPECT_EQ(differ, std::vector<std::string>{"smtp.max_recipients = 5 / smtp.max_recipients = 100"});
}

}  // namespace
}  // namespace dirmail::config
