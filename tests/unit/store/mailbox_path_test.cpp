#include "dirmail/store/mailbox_path.hpp"

#include <gtest/gtest.h>

namespace dirmail::store {
namespace {

MailboxPathVars vars(std::string user = "alice", std::string domain = "example.test", std::string home = "") {
  return MailboxPathVars{std::move(user), std::move(domain), std::move(home)};
}

std::string expand_ok(std::string_view tmpl, const MailboxPathVars& v, const std::string& base = "/var/mail") {
  auto r = expand_mailbox_path(tmpl, v, base);
  EXPECT_TRUE(r.ok()) << tmpl << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string();
}

ErrorCode expand_error(std::string_view tmpl, const MailboxPathVars& v, const std::string& base = "/var/mail") {
  auto r = expand_mailbox_path(tmpl, v, base);
  EXPECT_FALSE(r.ok()) << tmpl << " expanded to " << (r.ok() ? *r : "");
  return r.ok() ? ErrorCode::internal : r.error().code;
}

TEST(MailboxPath, RelativeTemplateGoesUnderBase) {
  EXPECT_EQ(expand_ok("inbox/%USERNAME%", vars()), "/var/mail/inbox/alice");
  EXPECT_EQ(expand_ok("inbox/%DOMAIN%/%USERNAME%", vars()), "/var/mail/inbox/example.test/alice");
}

TEST(MailboxPath, TokensAreCaseInsensitive) {
  EXPECT_EQ(expand_ok("%username%/%Domain%", vars()), "/var/mail/alice/example.test");
}

TEST(MailboxPath, BackslashIsASeparatorAndResultIsNormalised) {
  EXPECT_EQ(expand_ok("%HOME%\\INETMAIL\\INBOX", vars("alice", "d", "/home/alice")), "/home/alice/INETMAIL/INBOX");
  EXPECT_EQ(expand_ok("inbox//./%USERNAME%/", vars()), "/var/mail/inbox/alice");
  EXPECT_EQ(expand_ok("inbox/%USERNAME%", vars(), "/var/mail/"), "/var/mail/inbox/alice");
}

TEST(MailboxPath, AbsoluteTemplateIgnoresBase) {
  EXPECT_EQ(expand_ok("/srv/mail/%USERNAME%", vars()), "/srv/mail/alice");
}

TEST(MailboxPath, RelativeHomeStaysUnderBase) {
  EXPECT_EQ(expand_ok("%HOME%/mail", vars("alice", "d", "users/alice")), "/var/mail/users/alice/mail");
}

TEST(MailboxPath, UserNameCannotTraverse) {
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars("..")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars(".")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars("../etc")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars("a/b")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars("..\\..\\etc")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars(std::string("a\0b", 3))), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars("bad\nname")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars("")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, DomainCannotTraverse) {
  EXPECT_EQ(expand_error("%DOMAIN%/%USERNAME%", vars("alice", "..")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("%DOMAIN%/%USERNAME%", vars("alice", "x/../../etc")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("%DOMAIN%/%USERNAME%", vars("alice", "")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, NamesThatOnlyStartWithDotsAreOrdinary) {
  EXPECT_EQ(expand_ok("inbox/%USERNAME%", vars("..x")), "/var/mail/inbox/..x");
  // The value ".." is refused even where the template would make it harmless.
  EXPECT_EQ(expand_error("inbox/x%USERNAME%", vars("..")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, TemplateCannotTraverse) {
  EXPECT_EQ(expand_error("../%USERNAME%", vars()), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/../../%USERNAME%", vars()), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("%HOME%\\..\\..\\etc", vars("alice", "d", "/home/alice")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, RelativeHomeCannotEscapeBase) {
  EXPECT_EQ(expand_error("%HOME%/mail", vars("alice", "d", "../../etc")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, WindowsHomeFoldersAreNotLocalPaths) {
  // AD's homeDirectory: a UNC path or a drive path names no local folder.
  EXPECT_EQ(expand_error("%HOME%/INETMAIL", vars("alice", "d", "\\\\fileserver\\home\\alice")),
            ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("%HOME%/INETMAIL", vars("alice", "d", "H:\\alice")), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("%HOME%/INETMAIL", vars("alice", "d", "D:/home/alice")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, EmptyHomeIsRefusedWhenUsed) {
  EXPECT_EQ(expand_error("%HOME%/INETMAIL", vars("alice", "d", "")), ErrorCode::invalid_argument);
}

TEST(MailboxPath, UnknownOrBrokenTokensAreRefused) {
  EXPECT_EQ(expand_error("inbox/%USER%", vars()), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%USERNAME", vars()), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%%/%USERNAME%", vars()), ErrorCode::invalid_argument);
}

TEST(MailboxPath, TemplateMustNameTheUser) {
  EXPECT_EQ(expand_error("inbox/shared", vars()), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("inbox/%DOMAIN%", vars()), ErrorCode::invalid_argument);
  EXPECT_EQ(expand_error("", vars()), ErrorCode::invalid_argument);
}

TEST(MailboxPath, RelativeResultNeedsBase) {
  EXPECT_EQ(expand_error("inbox/%USERNAME%", vars(), ""), ErrorCode::invalid_argument);
}

TEST(MailboxPath, UsesHome) {
  EXPECT_TRUE(mailbox_path_uses_home("%home%\\INETMAIL"));
  EXPECT_FALSE(mailbox_path_uses_home("C:\\MAIL\\INBOX\\%USERNAME%"));
}

}  // namespace
}  // namespace dirmail::store

namespace dirmail::store {
namespace {

MailboxLocation location(std::string tmpl, std::string root, std::vector<std::string> map, bool shares) {
  auto made = MailboxLocation::make(std::move(tmpl), root, "/var/lib/dirmail", map, shares);
  EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
  return made.ok() ? *made : MailboxLocation{};
}

std::string root_error(const MailboxLocation& where, const MailboxPathVars& v) {
  auto root = where.root_for(v);
  EXPECT_FALSE(root.ok()) << "expanded to " << (root.ok() ? *root : "");
  return root.ok() ? std::string() : root.error().message;
}

TEST(MailboxLocation, PosixStoreMapsUncHomesThroughThePathMap) {
  auto where = location("%HOME%\\INETMAIL\\INBOX", "", {"\\\\fs1\\home = /mnt/home"}, false);
  EXPECT_EQ(where.root_for(vars("alice", "d", "\\\\FS1\\home\\alice")).value(), "/mnt/home/alice/INETMAIL/INBOX");
  // Not in the table: the message says what to do.
  auto message = root_error(where, vars("bob", "d", "\\\\fs2\\users\\bob"));
  EXPECT_NE(message.find("store.backend = smb"), std::string::npos) << message;
  EXPECT_NE(message.find("store.path_map"), std::string::npos) << message;
}

TEST(MailboxLocation, HomeFolderIsIgnoredWhenTheTemplateDoesNotUseIt) {
  // A soft account or an AD user with a UNC home and a %USERNAME% mailbox: the home
  // folder plays no part, so it cannot make the mailbox unusable.
  auto where = location("mailboxes/%DOMAIN%/%USERNAME%", "", {}, false);
  EXPECT_EQ(where.root_for(vars("alice", "d", "\\\\FS1\\home\\alice")).value(), "/var/lib/dirmail/mailboxes/d/alice");
  EXPECT_EQ(where.root_for(vars("alice", "d", "H:\\alice")).value(), "/var/lib/dirmail/mailboxes/d/alice");
}

TEST(MailboxLocation, DriveLettersAreRefusedUnlessMapped) {
  auto where = location("%HOME%\\INETMAIL", "", {}, false);
  auto message = root_error(where, vars("alice", "d", "H:\\alice"));
  EXPECT_NE(message.find("drive H:"), std::string::npos) << message;
  EXPECT_NE(message.find("UNC"), std::string::npos) << message;
  auto mapped = location("%HOME%\\INETMAIL", "", {"H: = /mnt/h"}, false);
  EXPECT_EQ(mapped.root_for(vars("alice", "d", "H:\\alice")).value(), "/mnt/h/alice/INETMAIL");
}

TEST(MailboxLocation, SmbStoreOpensUncPathsOnTheirShare) {
  auto homes = location("%HOME%\\INETMAIL\\INBOX", "\\\\nas\\mail", {}, true);
  EXPECT_EQ(homes.root_for(vars("alice", "d", "\\\\fs1\\home\\alice")).value(), "smb://fs1/home/alice/INETMAIL/INBOX");
  auto work = location("inbox\\%USERNAME%", "\\\\nas\\mail", {}, true);
  EXPECT_EQ(work.root_for(vars("alice")).value(), "smb://nas/mail/inbox/alice");
  auto unc_template = location("\\\\nas\\mail\\%DOMAIN%\\%USERNAME%", "\\\\nas\\mail", {}, true);
  EXPECT_EQ(unc_template.root_for(vars("alice", "example.test")).value(), "smb://nas/mail/example.test/alice");
  // A user name cannot climb out of the share's folder.
  EXPECT_FALSE(work.root_for(vars("..")).ok());
  // A local home is not on a share: never a silent local fallback.
  auto message = root_error(homes, vars("carol", "d", "/home/carol"));
  EXPECT_NE(message.find("shares only"), std::string::npos) << message;
}

TEST(MailboxLocation, SettingsThatCannotWorkAreRefused) {
  EXPECT_FALSE(MailboxLocation::make("%USERNAME%", "", "/var/lib/dirmail", {}, true).ok());  // smb without a share
  EXPECT_FALSE(MailboxLocation::make("%USERNAME%", "/srv/mail", "/var/lib/dirmail", {}, true).ok());
  EXPECT_FALSE(MailboxLocation::make("%USERNAME%", "\\\\nas\\mail", "/var/lib/dirmail", {}, false).ok());
  EXPECT_FALSE(MailboxLocation::make("%USERNAME%", "mail", "/var/lib/dirmail", {}, false).ok());
  EXPECT_FALSE(MailboxLocation::make("%USERNAME%", "", "/var/lib/dirmail", {"bad entry"}, false).ok());
  auto local = MailboxLocation::make("%USERNAME%", "", "/var/lib/dirmail", {}, false);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->root_for(vars("alice")).value(), "/var/lib/dirmail/alice");
}

}  // namespace
}  // namespace dirmail::store

namespace dirmail::store {
namespace {

TEST(MailboxLocation, ATemplateThatCannotWorkIsRefusedAtOnce) {
  // A UNC template needs the smb store; a template without the user in it is refused.
  auto unc = MailboxLocation::make("\\\\nas\\mail\\%USERNAME%", "", "/var/lib/dirmail", {}, false);
  ASSERT_FALSE(unc.ok());
  EXPECT_NE(unc.error().message.find("store.mailbox_path"), std::string::npos) << unc.error().message;
  EXPECT_FALSE(MailboxLocation::make("inbox/shared", "", "/var/lib/dirmail", {}, false).ok());
  EXPECT_TRUE(MailboxLocation::make("%HOME%/INETMAIL", "", "/var/lib/dirmail", {}, false).ok());
  EXPECT_TRUE(MailboxLocation::make("%HOME%\\INETMAIL", "\\\\nas\\mail", "/var/lib/dirmail", {}, true).ok());
}

}  // namespace
}  // namespace dirmail::store
