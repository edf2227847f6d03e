// setting_lines: which line of dirmail.toml sets each setting.
#include "dirmail/config/setting_lines.hpp"

#include <gtest/gtest.h>

namespace dirmail::config {
namespace {

TEST(SettingLines, NamesTheLineOfEachSetting) {
  const auto lines =
      setting_lines("# comment\n[smtp]\nmax_recipients = 5\n\nlisten = [\n  \"::1 25\",\n]\n[log]\nlevel = \"warn\"\n");
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines.at("smtp.max_recipients"), 3u);
  EXPECT_EQ(lines.at("smtp.listen"), 5u);
  EXPECT_EQ(lines.at("log.level"), 9u);
}

TEST(SettingLines, SkipsUnknownSettingsAndBrokenDocuments) {
  EXPECT_TRUE(setting_lines("[smtp]\nno_such = 1\n[nope]\nx = 1\n").empty());
  EXPECT_TRUE(setting_lines("[smtp\n").empty());
}

}  // namespace
}  // namespace dirmail::config
