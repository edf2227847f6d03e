// What the importer compares an account the target holds with a row by, and what it
// reports when they differ.
#include "dirmail/migration/account_target.hpp"

#include <gtest/gtest.h>

namespace dirmail::migration {
namespace {

SoftAccount row() { return {"yamada", "Pass-1234", "山田太郎", "abc.jp", "C:\\home\\yamada", true, false, 1024}; }

TargetAccount held() {
  TargetAccount t;
  t.account = "Yamada";
  t.display_name = "山田太郎";
  t.home_folder = "c:\\HOME\\yamada";  // Windows paths ignore case
  t.domains = {"ABC.jp"};
  t.mail_user = true;
  return t;
}

TEST(TargetMatches, TheSameNamesHomeDomainAndMailUser) {
  EXPECT_TRUE(target_matches(held(), row()));
  EXPECT_EQ(describe_differences(held(), row()), "");
  // Limits, flags, the password, the mark and the state are not compared.
  TargetAccount t = held();
  t.mailbox_limit = 5;
  t.imported = true;
  t.enabled = false;
  EXPECT_TRUE(target_matches(t, row()));
  // A second domain group does not undo the row's domain.
  t.domains = {"abc.jp", "def.jp"};
  EXPECT_TRUE(target_matches(t, row()));
}

TEST(TargetMatches, EachDifferenceIsOne) {
  TargetAccount t = held();
  t.display_name = "Yamada Taro";
  EXPECT_FALSE(target_matches(t, row()));
  EXPECT_EQ(describe_differences(t, row()), "full name 'Yamada Taro' in the directory, '山田太郎' in the file");

  t = held();
  t.home_folder = "\\\\fs1\\home\\yamada";
  EXPECT_FALSE(target_matches(t, row()));
  EXPECT_EQ(describe_differences(t, row()),
            "home folder '\\\\fs1\\home\\yamada' in the directory, 'C:\\home\\yamada' in the file");

  t = held();
  t.domains = {"def.jp", "ghi.jp"};
  EXPECT_FALSE(target_matches(t, row()));
  EXPECT_EQ(describe_differences(t, row()), "mail domain 'def.jp', 'ghi.jp' in the directory, 'abc.jp' in the file");

  t = held();
  t.domains.clear();
  t.mail_user = false;
  EXPECT_FALSE(target_matches(t, row()));
  EXPECT_EQ(describe_differences(t, row()),
            "mail domain none in the directory, 'abc.jp' in the file; not a member of the mail users group");
}

TEST(TargetMatches, ABlankDomainMeansNoDomainGroup) {
  SoftAccount r = row();
  r.domain.clear();
  TargetAccount t = held();
  EXPECT_FALSE(target_matches(t, r));
  EXPECT_EQ(describe_differences(t, r), "mail domain 'ABC.jp' in the directory, none in the file");
  t.domains.clear();
  EXPECT_TRUE(target_matches(t, r));
}

TEST(TargetMatches, ValuesInTheReportAreEscapedAndCut) {
  TargetAccount t = held();
  t.display_name = "a\nb" + std::string(300, 'x');
  std::string text = describe_differences(t, row());
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("'a\\x0ab"), std::string::npos);
  EXPECT_NE(text.find("...'"), std::string::npos);
  EXPECT_LT(text.size(), 250u);
}

TEST(TargetFailureKinds, HaveNames) {
  EXPECT_EQ(to_string(TargetFailureKind::password_policy), "password policy");
  EXPECT_EQ(to_string(TargetFailureKind::already_exists), "already exists");
  EXPECT_EQ(to_string(TargetFailureKind::refused), "refused");
  EXPECT_EQ(to_string(TargetFailureKind::permission), "permission denied");
  EXPECT_EQ(to_string(TargetFailureKind::unavailable), "unavailable");
  EXPECT_EQ(to_string(TargetFailureKind::other), "other");
}

}  // namespace
}  // namespace dirmail::migration
