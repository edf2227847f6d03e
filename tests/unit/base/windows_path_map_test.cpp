#include "dirmail/base/windows_path_map.hpp"

#include <gtest/gtest.h>

namespace dirmail {
namespace {

WindowsPathMap map_of(std::vector<std::string> entries) {
  auto map = WindowsPathMap::parse(entries);
  EXPECT_TRUE(map.ok()) << (map.ok() ? "" : map.error().message);
  return map.ok() ? *map : WindowsPathMap{};
}

TEST(WindowsPath, TellsUncAndDrivePaths) {
  EXPECT_TRUE(is_unc_path("\\\\fs1\\home\\alice"));
  EXPECT_TRUE(is_unc_path("//fs1/home"));
  EXPECT_FALSE(is_unc_path("/var/mail"));
  EXPECT_TRUE(is_drive_path("H:"));
  EXPECT_TRUE(is_drive_path("d:\\home"));
  EXPECT_TRUE(is_drive_path("D:/home"));
  EXPECT_FALSE(is_drive_path("H:alice"));
  EXPECT_FALSE(is_drive_path("1:\\x"));
  EXPECT_FALSE(is_drive_path("/H:"));
}

TEST(WindowsPathMap, LongestPrefixWinsCaseInsensitively) {
  auto map = map_of({"\\\\fs1\\home = /mnt/home", "\\\\FS1\\Home\\staff = /mnt/staff", "H: = /mnt/h"});
  EXPECT_EQ(map.map("\\\\fs1\\home\\alice"), "/mnt/home/alice");
  EXPECT_EQ(map.map("\\\\fs1\\HOME\\staff\\bob\\"), "/mnt/staff/bob");
  EXPECT_EQ(map.map("//fs1/home/alice/INETMAIL"), "/mnt/home/alice/INETMAIL");
  EXPECT_EQ(map.map("h:\\carol"), "/mnt/h/carol");
  EXPECT_EQ(map.map("H:"), "/mnt/h");
  EXPECT_EQ(map.map("\\\\fs1\\home"), "/mnt/home");
}

TEST(WindowsPathMap, MatchesWholeComponentsOnly) {
  auto map = map_of({"\\\\fs1\\home = /mnt/home"});
  EXPECT_EQ(map.map("\\\\fs1\\homes\\alice"), std::nullopt);
  EXPECT_EQ(map.map("\\\\fs2\\home\\alice"), std::nullopt);
  EXPECT_EQ(map.map("H:\\alice"), std::nullopt);
}

TEST(WindowsPathMap, MapsToAnotherShare) {
  auto map = map_of({"H: = \\\\nas\\home"});
  EXPECT_EQ(map.map("H:\\alice"), "//nas/home/alice");
}

TEST(WindowsPathMap, RefusesMalformedEntriesNamingThem) {
  for (std::string entry : {"\\\\fs1\\home /mnt/home", "\\\\fs1 = /mnt/x", "relative = /mnt/x", "H: = mnt/h",
                            "H: = ", "\\\\fs1\\home\\..\\x = /mnt", "H: = /mnt/../etc", "C = /mnt"}) {
    auto map = WindowsPathMap::parse({entry});
    ASSERT_FALSE(map.ok()) << entry;
    EXPECT_EQ(map.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(map.error().message.find(entry), std::string::npos) << map.error().message;
  }
}

}  // namespace
}  // namespace dirmail

namespace dirmail {
namespace {

TEST(WindowsPathMap, ThePathCannotClimbOutOfTheMappedFolder) {
  auto map = WindowsPathMap::parse({"\\\\fs1\\home = /mnt/home"});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->map("\\\\fs1\\home\\..\\..\\etc"), std::nullopt);
  EXPECT_EQ(map->map("\\\\fs1\\home\\alice\\.\\x"), std::nullopt);
  EXPECT_EQ(map->map("\\\\fs1\\home\\alice..x"), "/mnt/home/alice..x");
}

}  // namespace
}  // namespace dirmail
