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
