// The settings reference lists every setting with its default, range and descriptions.
#include <gtest/gtest.h>

#include <string>

#include "dirmail/config/host_names.hpp"
#include "dirmail/config/reference.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {
namespace {

TEST(Reference, HasOneTableRowPerSettingWithItsDetails) {
  const std::string doc = render_settings_reference();
  for (const SettingSpec& spec : setting_specs()) {
    SCOPED_TRACE(std::string(spec.name));
    const std::size_t row = doc.find("\n| `" + std::string(spec.name) + "` | ");
    ASSERT_NE(row, std::string::npos);
    const std::string line = doc.substr(row + 1, doc.find('\n', row + 1) - row - 1);
    EXPECT_NE(line.find(std::string(spec.description_en)), std::string::npos);
    EXPECT_NE(line.find(std::string(spec.description_ja)), std::string::npos);
    EXPECT_NE(line.find("`" + std::string(spec.policy_value) + "`"), std::string::npos);
    EXPECT_NE(line.find(" | " + std::string(to_string(spec.type)) + " | "), std::string::npos);
    if (spec.has_range()) {
      EXPECT_NE(line.find(std::to_string(spec.min) + ".." + std::to_string(spec.max)), std::string::npos);
    }
    // Eight columns: nine unescaped bars.
    int bars = 0;
    for (std::size_t i = 0; i < line.size(); ++i) bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    EXPECT_EQ(bars, 9) << line;
  }
}

TEST(Reference, HasASectionPerTableSection) {
  const std::string doc = render_settings_reference();
  for (const char* section : {"server", "log", "directory", "store", "queue", "delivery", "smtp", "submission", "pop3"}) {
    EXPECT_NE(doc.find("\n## [" + std::string(section) + "]\n"), std::string::npos) << section;
  }
  EXPECT_EQ(doc.rfind("# dirmail settings reference\n", 0), 0u);
}

TEST(Reference, EnumValuesAreListedWithoutBreakingTheTable) {
  const std::string doc = render_settings_reference();
  EXPECT_NE(doc.find("one of `debug`, `info`, `warn`, `error`"), std::string::npos);
  EXPECT_NE(doc.find("| `smtp.listen` | string list | `[\"0.0.0.0 25\"]` | `ADDRESS PORT[*]` each | smtp |"),
            std::string::npos);
  EXPECT_NE(doc.find("| `smtp.max_message_size` | size | `26214400` | bytes, 0..1073741824 | smtp |"),
            std::string::npos);
}

TEST(HostNames, EmptySettingMeansTheSystemHostName) {
  Settings s;
  EXPECT_EQ(host_name(s), system_host_name());
  EXPECT_EQ(node_name(s), system_host_name());
  EXPECT_FALSE(system_host_name().empty());
  s.server_hostname = "mx.example.test";
  s.server_node_name = "node-a";
  EXPECT_EQ(host_name(s), "mx.example.test");
  EXPECT_EQ(node_name(s), "node-a");
}

}  // namespace
}  // namespace dirmail::config
