// The keytab doctor's verdicts (dirmailctl kerberos check): each check's level, what
// it says and the fixing command an administrator would copy.
#include "dirmail/auth/keytab_check.hpp"

#include <gtest/gtest.h>

namespace dirmail::auth {
namespace {

using namespace std::chrono_literals;

const KeytabCheckTarget target{"/etc/dirmail/mail.keytab", "CORP.EXAMPLE.TEST", "svc-mail"};
constexpr std::string_view smtp = "smtp/mail.corp.example.test";

std::vector<KeytabEntry> keytab_at(std::uint32_t kvno, std::vector<std::int32_t> enctypes = {18, 17, 23}) {
  std::vector<KeytabEntry> out;
  for (auto e : enctypes) out.push_back({std::string(smtp) + "@CORP.EXAMPLE.TEST", kvno, e});
  return out;
}

SpnOwner svc_mail(std::optional<std::uint32_t> kvno, std::optional<std::uint32_t> enctypes = 0x18) {
  return {"CN=svc-mail,CN=Users,DC=corp,DC=example,DC=test", "svc-mail", kvno, enctypes};
}

TEST(KeytabCheckTest, LineFormatCarriesTheFixOnlyWhenNotOk) {
  EXPECT_EQ(format_check_line({CheckLevel::fail, "spn x", "missing", "samba-tool spn add x svc-mail"}),
            "FAIL spn x: missing; fix: samba-tool spn add x svc-mail");
  EXPECT_EQ(format_check_line({CheckLevel::ok, "clock", "fine", "ignored"}), "ok clock: fine");
  EXPECT_EQ(format_check_line({CheckLevel::warn, "dns h", "no PTR", "add it"}), "warn dns h: no PTR; fix: add it");
}

TEST(KeytabCheckTest, ExitStatusFailsOnlyOnFail) {
  EXPECT_EQ(check_exit_status({{CheckLevel::ok, "a", "", ""}, {CheckLevel::warn, "b", "", ""}}), 0);
  EXPECT_EQ(check_exit_status({{CheckLevel::ok, "a", "", ""}, {CheckLevel::fail, "b", "", ""}}), 1);
}

TEST(KeytabCheckTest, ServicePrincipalNameIsLowerCaseWithoutTrailingDot) {
  EXPECT_EQ(service_principal_name("imap", "Mail.Corp.Example.Test."), "imap/mail.corp.example.test");
}

TEST(KeytabCheckTest, KeytabFileModes) {
  KeytabFileFacts f{"/k", true, true, 0640, "", 9};
  EXPECT_EQ(check_keytab_file(f).level, CheckLevel::ok);
  f.mode = 0644;
  auto world = check_keytab_file(f);
  EXPECT_EQ(world.level, CheckLevel::fail);
  EXPECT_NE(world.detail.find("readable by others (mode 0644)"), std::string::npos);
  EXPECT_NE(world.fix.find("chmod 0640 /k"), std::string::npos);
  EXPECT_EQ(check_keytab_file({"/k", false, false, 0, "No such file", 0}).level, CheckLevel::fail);
  EXPECT_EQ(check_keytab_file({"/k", true, false, 0600, "Permission denied", 0}).level, CheckLevel::fail);
  EXPECT_EQ(check_keytab_file({"/k", true, true, 0600, "", 0}).level, CheckLevel::fail);
}

TEST(KeytabCheckTest, MissingPrincipalSaysHowToExportIt) {
  auto l = check_principal_in_keytab(keytab_at(2), "pop/mail.corp.example.test", target);
  EXPECT_EQ(l.level, CheckLevel::fail);
  EXPECT_EQ(l.check, "principal pop/mail.corp.example.test@CORP.EXAMPLE.TEST");
  EXPECT_NE(l.fix.find("samba-tool domain exportkeytab /etc/dirmail/mail.keytab "
                       "--principal=pop/mail.corp.example.test@CORP.EXAMPLE.TEST"),
            std::string::npos);
  EXPECT_NE(l.fix.find("ktpass"), std::string::npos);
  EXPECT_EQ(check_principal_in_keytab(keytab_at(2), smtp, target).level, CheckLevel::ok);
}

TEST(KeytabCheckTest, SpnOnNoAccountOnOneOrOnTwo) {
  auto none = check_spn_owner(smtp, {}, target);
  EXPECT_EQ(none.level, CheckLevel::fail);
  EXPECT_NE(none.fix.find("samba-tool spn add smtp/mail.corp.example.test svc-mail"), std::string::npos);
  EXPECT_NE(none.fix.find("setspn -S smtp/mail.corp.example.test svc-mail"), std::string::npos);
  EXPECT_EQ(check_spn_owner(smtp, {svc_mail(2)}, target).level, CheckLevel::ok);
  SpnOwner intruder{"CN=old-mail,CN=Users,DC=corp,DC=example,DC=test", "old-mail", 5, std::nullopt};
  auto dup = check_spn_owner(smtp, {svc_mail(2), intruder}, target);
  EXPECT_EQ(dup.level, CheckLevel::fail);
  EXPECT_NE(dup.detail.find("duplicate SPN on 2 accounts: svc-mail, old-mail"), std::string::npos);
  // The fix removes it from the other account, never from the service account.
  EXPECT_NE(dup.fix.find("samba-tool spn delete smtp/mail.corp.example.test old-mail"), std::string::npos);
  EXPECT_EQ(dup.fix.find("delete smtp/mail.corp.example.test svc-mail"), std::string::npos);
}

TEST(KeytabCheckTest, KvnoMustMatchTheAccount) {
  EXPECT_EQ(check_kvno(keytab_at(3), smtp, svc_mail(3), target).level, CheckLevel::ok);
  auto stale = check_kvno(keytab_at(2), smtp, svc_mail(3), target);
  EXPECT_EQ(stale.level, CheckLevel::fail);
  EXPECT_NE(stale.detail.find("keytab has kvno 2, AD account svc-mail is at kvno 3"), std::string::npos);
  EXPECT_NE(stale.fix.find("samba-tool domain exportkeytab"), std::string::npos);
  // A keytab that kept the previous key beside the current one is fine.
  auto both = keytab_at(2);
  for (auto e : keytab_at(3)) both.push_back(e);
  EXPECT_EQ(check_kvno(both, smtp, svc_mail(3), target).level, CheckLevel::ok);
  EXPECT_EQ(check_kvno(keytab_at(3), smtp, svc_mail(std::nullopt), target).level, CheckLevel::warn);
}

TEST(KeytabCheckTest, EnctypesAesExpectedRc4OnlyWarned) {
  EXPECT_EQ(check_enctypes(keytab_at(2), smtp, svc_mail(2, 0x18), target).level, CheckLevel::ok);
  auto rc4 = check_enctypes(keytab_at(2), smtp, svc_mail(2, 0x4), target);
  EXPECT_EQ(rc4.level, CheckLevel::warn);
  EXPECT_NE(rc4.detail.find("RC4 only"), std::string::npos);
  EXPECT_NE(rc4.fix.find("-KerberosEncryptionType AES128,AES256"), std::string::npos);
  auto none = check_enctypes(keytab_at(2, {23}), smtp, svc_mail(2, 0x18), target);
  EXPECT_EQ(none.level, CheckLevel::fail);
  EXPECT_NE(none.detail.find("no common enctype: keytab has arcfour-hmac; svc-mail supports "
                             "aes128-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96"),
            std::string::npos);
  EXPECT_EQ(check_enctypes(keytab_at(2), smtp, svc_mail(2, std::nullopt), target).level, CheckLevel::warn);
  // Only keys at the account's kvno count: an old AES key does not rescue a new RC4-only one.
  auto mixed = keytab_at(1, {18});
  for (auto e : keytab_at(2, {23})) mixed.push_back(e);
  EXPECT_EQ(check_enctypes(mixed, smtp, svc_mail(2, 0x18), target).level, CheckLevel::fail);
}

TEST(KeytabCheckTest, GeneralizedTimeAsAdSendsIt) {
  auto t = parse_generalized_time("20261127053427.0Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1795757667);
  auto offset = parse_generalized_time("20261127083427+0300");
  ASSERT_TRUE(offset);
  EXPECT_EQ(*offset, *t);
  EXPECT_FALSE(parse_generalized_time("20261127053427"));       // no zone
  EXPECT_FALSE(parse_generalized_time("20261327053427Z"));      // month 13
  EXPECT_FALSE(parse_generalized_time("20260230000000Z"));      // 30 February
  EXPECT_FALSE(parse_generalized_time("20261127053427.Z"));     // empty fraction
  EXPECT_FALSE(parse_generalized_time("20261127053427Zjunk"));
  EXPECT_FALSE(parse_generalized_time(""));
  EXPECT_EQ(parse_generalized_time(std::string(100, '1')).error().code, ErrorCode::limit_exceeded);
}

TEST(KeytabCheckTest, ClockSkewAgainstTheKerberosLimit) {
  auto dc = std::chrono::system_clock::from_time_t(1795757667);
  EXPECT_EQ(check_clock_skew(dc, dc + 3s, "dc1").level, CheckLevel::ok);
  EXPECT_EQ(check_clock_skew(dc, dc + 90s, "dc1").level, CheckLevel::warn);
  auto ahead = check_clock_skew(dc, dc + 10min, "dc1");
  EXPECT_EQ(ahead.level, CheckLevel::fail);
  EXPECT_NE(ahead.detail.find("local clock is 600 s ahead of dc1 (limit 300 s)"), std::string::npos);
  EXPECT_NE(ahead.fix.find("chronyc makestep"), std::string::npos);
  auto behind = check_clock_skew(dc, dc - 301s, "dc1");
  EXPECT_EQ(behind.level, CheckLevel::fail);
  EXPECT_NE(behind.detail.find("301 s behind dc1"), std::string::npos);
  EXPECT_EQ(check_clock_skew(dc, dc - 300s, "dc1").level, CheckLevel::warn);
}

TEST(KeytabCheckTest, ForwardAndReverseDns) {
  EXPECT_EQ(check_dns({"mail.corp.example.test", "Name or service not known", {}}).level, CheckLevel::warn);
  EXPECT_EQ(check_dns({"mail.corp.example.test", "", {{"10.0.0.5", "MAIL.corp.example.test."}}}).level,
            CheckLevel::ok);
  auto wrong = check_dns({"mail.corp.example.test", "", {{"10.0.0.5", "node1.corp.example.test"}}});
  EXPECT_EQ(wrong.level, CheckLevel::fail);
  EXPECT_NE(wrong.detail.find("10.0.0.5 -> node1.corp.example.test"), std::string::npos);
  EXPECT_EQ(check_dns({"mail.corp.example.test", "", {{"10.0.0.5", std::nullopt}}}).level, CheckLevel::warn);
}

}  // namespace
}  // namespace dirmail::auth
