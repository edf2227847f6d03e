#include "dirmail/store/folder_names.hpp"

#include <gtest/gtest.h>

namespace dirmail::store {
namespace {

std::string canonical(std::string_view name) {
  auto r = canonical_folder_name(name);
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string();
}

TEST(FolderNamesTest, InboxIsCanonicalInAnyCaseAndAsAParent) {
  EXPECT_EQ(canonical("inbox"), "INBOX");
  EXPECT_EQ(canonical("Inbox/Sub/inbox"), "INBOX/Sub/inbox");
  EXPECT_EQ(canonical("INBOXES"), "INBOXES");
  EXPECT_EQ(canonical("Work/INBOX"), "Work/INBOX");
  EXPECT_TRUE(is_inbox_folder("iNbOx"));
  EXPECT_FALSE(is_inbox_folder("INBOX/x"));
}

TEST(FolderNamesTest, DirectoryNamesEscapeWhatAShareCannotHold) {
  const std::pair<std::string, std::string> cases[] = {
      {"INBOX", "INBOX"},
      {"Archive/2024", "Archive%2F2024"},
      {"a.b", "a%2Eb"},
      {".hidden", "%2Ehidden"},
      {"100%", "100%25"},
      {"%2F", "%252F"},
      {" lead", "%20lead"},
      {"trail ", "trail%20"},
      {"in between", "in between"},
      {"a\\b:c*d?e\"f<g>h|i", "a%5Cb%3Ac%2Ad%3Fe%22f%3Cg%3Eh%7Ci"},
      {"CON", "%43ON"},
      {"con", "%63on"},
      {"Nul", "%4Eul"},
      {"COM1", "%43OM1"},
      {"lpt9", "%6Cpt9"},
      {"COM\xc2\xb2", "%43OM\xc2\xb2"},
      {"CON.txt", "CON%2Etxt"},  // no dot left, so no longer a device name
      {"CONSOLE", "CONSOLE"},
      {"COM10", "COM10"},
      {"IMS.CTL", "IMS%2ECTL"},
      {"\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"},
  };
  for (const auto& [name, directory] : cases) {
    EXPECT_EQ(folder_directory_name(name), directory) << name;
    EXPECT_EQ(folder_from_directory_name(directory), name) << directory;
  }
}

TEST(FolderNamesTest, OnlyTheOneSpellingDecodes) {
  for (std::string_view directory :
       {"", "a.b", ".", "..", "inbox", "Inbox", "%41", "a%2fb", "%2", "%", "%ZZ", "con", "CON", "trail ", " lead",
        "a%2F%2Fb", "%2E%2E", "x%00y", "%2F", "a%2F", "dirmail.lock", "IMS.CTL", "new\nline"}) {
    EXPECT_FALSE(folder_from_directory_name(directory).has_value()) << directory;
  }
  EXPECT_FALSE(folder_from_directory_name(std::string(kMaxFolderDirectoryBytes + 1, 'x')).has_value());
}

TEST(FolderNamesTest, LimitsOnLengthDepthAndEncodedLength) {
  EXPECT_TRUE(canonical_folder_name(std::string(kMaxFolderNameBytes, 'x')).ok());
  EXPECT_FALSE(canonical_folder_name(std::string(kMaxFolderNameBytes + 1, 'x')).ok());
  std::string levels = "l";
  for (std::size_t i = 1; i < kMaxFolderDepth; ++i) levels += "/l";
  EXPECT_TRUE(canonical_folder_name(levels).ok());
  EXPECT_FALSE(canonical_folder_name(levels + "/l").ok());
  // 100 bytes of name, 300 of directory name.
  auto dots = canonical_folder_name(std::string(100, '.'));
  ASSERT_FALSE(dots.ok());
  EXPECT_EQ(dots.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(canonical_folder_name(std::string(85, '.')).ok());  // 255 bytes encoded
}

TEST(FolderNamesTest, BadNamesAreInvalidArguments) {
  for (std::string bad : {std::string(""), std::string("/"), std::string("a/"), std::string("//a"), std::string("."),
                          std::string(".."), std::string("a/./b"), std::string("a/../b"), std::string("x\0y", 3),
                          std::string("tab\t"), std::string("\x7f"), std::string("\xc2\x9f"), std::string("\xff"),
                          std::string("\xe3\x81"), std::string("\xed\xa0\x80")}) {
    auto r = canonical_folder_name(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_TRUE(canonical_folder_name("\xc2\xa0nbsp").ok());  // U+00A0 is not a control character
}

}  // namespace
}  // namespace dirmail::store
