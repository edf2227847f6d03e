// The ESMTP parameters of MAIL FROM and RCPT TO, and the reply each refusal carries.
#include "dirmail/smtp/esmtp_parameters.hpp"

#include <gtest/gtest.h>

#include <string>

#include "dirmail/smtp/command.hpp"

namespace dirmail::smtp {
namespace {

// The reply a refused MAIL FROM gets ("" when the parameters are accepted).
std::string mail_reply(const EsmtpParams& params, bool esmtp = true) {
  auto r = parse_mail_parameters(params, esmtp);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  return r.error().message;
}

std::string rcpt_reply(const EsmtpParams& params, bool esmtp = true) {
  auto r = parse_rcpt_parameters(params, esmtp);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  return r.error().message;
}

MailParameters mail(const EsmtpParams& params) {
  auto r = parse_mail_parameters(params, true);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : MailParameters{};
}

RcptParameters rcpt(const EsmtpParams& params) {
  auto r = parse_rcpt_parameters(params, true);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : RcptParameters{};
}

// --- xtext (RFC 3461 §4) ---------------------------------------------------------

TEST(Xtext, PrintableAsciiButPlusAndEquals) {
  EXPECT_TRUE(valid_xtext(""));
  EXPECT_TRUE(valid_xtext("user@example.test"));
  EXPECT_TRUE(valid_xtext("!~\"#$%&'()*,-./:;<>?[\\]^_`{|}"));
  EXPECT_FALSE(valid_xtext("a=b"));
  EXPECT_FALSE(valid_xtext("="));
  EXPECT_FALSE(valid_xtext("a b"));
  EXPECT_FALSE(valid_xtext("a\tb"));
  EXPECT_FALSE(valid_xtext(std::string("a\0b", 3)));
  EXPECT_FALSE(valid_xtext("a\x7f"));
  EXPECT_FALSE(valid_xtext("\xc3\xa9"));
}

TEST(Xtext, HexcharIsPlusAndTwoUpperCaseHexDigits) {
  EXPECT_TRUE(valid_xtext("+2B"));
  EXPECT_TRUE(valid_xtext("a+3Db+20c"));
  EXPECT_TRUE(valid_xtext("+00+FF+09+AF"));
  EXPECT_TRUE(valid_xtext("end+41"));
  EXPECT_FALSE(valid_xtext("+2b"));  // lower-case hex is not xtext
  EXPECT_FALSE(valid_xtext("+ff"));
  EXPECT_FALSE(valid_xtext("+aF"));
  EXPECT_FALSE(valid_xtext("+G0"));
  EXPECT_FALSE(valid_xtext("+"));
  EXPECT_FALSE(valid_xtext("a+"));   // "+" at the end
  EXPECT_FALSE(valid_xtext("a+4"));  // one digit at the end
  EXPECT_FALSE(valid_xtext("++41"));
  EXPECT_FALSE(valid_xtext("+4+41"));
  EXPECT_FALSE(valid_xtext("+ 41"));
}

TEST(Xtext, EveryOctetAlone) {
  for (int c = 0; c < 256; ++c) {
    const bool want = c >= 33 && c <= 126 && c != '+' && c != '=';
    EXPECT_EQ(valid_xtext(std::string(1, static_cast<char>(c))), want) << c;
  }
}

// --- MAIL FROM -------------------------------------------------------------------

TEST(MailParameters, NoneGiven) {
  auto m = mail({});
  EXPECT_FALSE(m.size.has_value());
  EXPECT_EQ(m.body, "");
  EXPECT_FALSE(m.smtputf8);
  EXPECT_EQ(m.ret, "");
  EXPECT_EQ(m.envid, "");
  EXPECT_TRUE(parse_mail_parameters({}, false).ok());  // after HELO, no parameters is fine
}

TEST(MailParameters, AllTogether) {
  auto m = mail({{"SIZE", "12345"}, {"BODY", "8bitmime"}, {"SMTPUTF8", ""}, {"RET", "hdrs"},
                 {"ENVID", "QQ+2B314"}, {"AUTH", "<>"}});
  EXPECT_EQ(m.size, 12345u);
  EXPECT_EQ(m.body, "8BITMIME");
  EXPECT_TRUE(m.smtputf8);
  EXPECT_EQ(m.ret, "HDRS");
  EXPECT_EQ(m.envid, "QQ+2B314");  // as sent
}

TEST(MailParameters, Size) {
  EXPECT_EQ(mail({{"SIZE", "0"}}).size, 0u);
  EXPECT_EQ(mail({{"SIZE", "18446744073709551615"}}).size, UINT64_MAX);
  EXPECT_EQ(mail({{"SIZE", "99999999999999999999"}}).size, UINT64_MAX);  // saturates
  EXPECT_EQ(mail_reply({{"SIZE", "123456789012345678901"}}), "501 5.5.4 Bad SIZE parameter");
  EXPECT_EQ(mail_reply({{"SIZE", ""}}), "501 5.5.4 Bad SIZE parameter");
  EXPECT_EQ(mail_reply({{"SIZE", "-1"}}), "501 5.5.4 Bad SIZE parameter");
  EXPECT_EQ(mail_reply({{"SIZE", "1k"}}), "501 5.5.4 Bad SIZE parameter");
  EXPECT_EQ(mail_reply({{"SIZE", "0x10"}}), "501 5.5.4 Bad SIZE parameter");
}

TEST(MailParameters, Body) {
  EXPECT_EQ(mail({{"BODY", "7BIT"}}).body, "7BIT");
  EXPECT_EQ(mail({{"BODY", "7bit"}}).body, "7BIT");
  EXPECT_EQ(mail({{"BODY", "8BitMime"}}).body, "8BITMIME");
  EXPECT_EQ(mail_reply({{"BODY", "binarymime"}}), "555 5.5.4 BODY=BINARYMIME is not supported");
  EXPECT_EQ(mail_reply({{"BODY", ""}}), "501 5.5.4 Bad BODY parameter");
  EXPECT_EQ(mail_reply({{"BODY", "8BIT"}}), "501 5.5.4 Bad BODY parameter");
  EXPECT_EQ(mail_reply({{"BODY", "8BITMIMEX"}}), "501 5.5.4 Bad BODY parameter");
}

TEST(MailParameters, Smtputf8TakesNoValue) {
  EXPECT_TRUE(mail({{"SMTPUTF8", ""}}).smtputf8);
  EXPECT_EQ(mail_reply({{"SMTPUTF8", "yes"}}), "501 5.5.4 Bad SMTPUTF8 parameter");
}

TEST(MailParameters, Ret) {
  EXPECT_EQ(mail({{"RET", "FULL"}}).ret, "FULL");
  EXPECT_EQ(mail({{"RET", "full"}}).ret, "FULL");
  EXPECT_EQ(mail({{"RET", "Hdrs"}}).ret, "HDRS");
  EXPECT_EQ(mail_reply({{"RET", ""}}), "501 5.5.4 Bad RET parameter");
  EXPECT_EQ(mail_reply({{"RET", "HEADERS"}}), "501 5.5.4 Bad RET parameter");
  EXPECT_EQ(mail_reply({{"RET", "FULL,HDRS"}}), "501 5.5.4 Bad RET parameter");
}

TEST(MailParameters, Envid) {
  EXPECT_EQ(mail({{"ENVID", "abc"}}).envid, "abc");
  EXPECT_EQ(mail({{"ENVID", std::string(max_envid, 'e')}}).envid, std::string(100, 'e'));
  EXPECT_EQ(mail_reply({{"ENVID", std::string(max_envid + 1, 'e')}}), "501 5.5.4 Bad ENVID parameter");
  // The limit is on the xtext as sent: "+2B" counts three.
  EXPECT_EQ(mail({{"ENVID", std::string(97, 'e') + "+2B"}}).envid.size(), 100u);
  EXPECT_EQ(mail_reply({{"ENVID", std::string(98, 'e') + "+2B"}}), "501 5.5.4 Bad ENVID parameter");
  EXPECT_EQ(mail_reply({{"ENVID", ""}}), "501 5.5.4 Bad ENVID parameter");
  EXPECT_EQ(mail_reply({{"ENVID", "a+2b"}}), "501 5.5.4 Bad ENVID parameter");
  EXPECT_EQ(mail_reply({{"ENVID", "a+"}}), "501 5.5.4 Bad ENVID parameter");
  EXPECT_EQ(mail_reply({{"ENVID", "a+4"}}), "501 5.5.4 Bad ENVID parameter");
  EXPECT_EQ(mail_reply({{"ENVID", "a=b"}}), "501 5.5.4 Bad ENVID parameter");
  EXPECT_EQ(mail_reply({{"ENVID", "caf\xc3\xa9"}}), "501 5.5.4 Bad ENVID parameter");
}

TEST(MailParameters, Auth) {
  EXPECT_EQ(mail_reply({{"AUTH", "<>"}}), "");
  EXPECT_EQ(mail_reply({{"AUTH", "alice@example.test"}}), "");
  EXPECT_EQ(mail_reply({{"AUTH", "alice+2Bsub@example.test"}}), "");
  EXPECT_EQ(mail_reply({{"AUTH", ""}}), "501 5.5.4 Bad AUTH parameter");
  EXPECT_EQ(mail_reply({{"AUTH", "a=b"}}), "501 5.5.4 Bad AUTH parameter");
  EXPECT_EQ(mail_reply({{"AUTH", "a+2b"}}), "501 5.5.4 Bad AUTH parameter");
  EXPECT_EQ(mail_reply({{"AUTH", "<x>"}}), "");  // xtext: "<" and ">" are xchars
}

TEST(MailParameters, UnknownKeyIs555) {
  EXPECT_EQ(mail_reply({{"FROB", "1"}}), "555 5.5.4 Unsupported option: FROB");
  EXPECT_EQ(mail_reply({{"SIZE", "1"}, {"NOTIFY", "NEVER"}}), "555 5.5.4 Unsupported option: NOTIFY");
  EXPECT_EQ(mail_reply({{"ORCPT", "rfc822;a@b"}}), "555 5.5.4 Unsupported option: ORCPT");
  EXPECT_EQ(mail_reply({{"BINARYMIME", ""}}), "555 5.5.4 Unsupported option: BINARYMIME");
}

TEST(MailParameters, EveryParameterAfterHeloIs555) {
  for (const char* key : {"SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH", "FROB"})
    EXPECT_EQ(mail_reply({{key, "x"}}, false), std::string("555 5.5.4 Unsupported option: ") + key);
  EXPECT_EQ(mail_reply({{"SIZE", "10"}}, false), "555 5.5.4 Unsupported option: SIZE");
  EXPECT_EQ(mail_reply({{"SMTPUTF8", ""}}, false), "555 5.5.4 Unsupported option: SMTPUTF8");
}

TEST(MailParameters, DuplicateIs501) {
  EXPECT_EQ(mail_reply({{"SIZE", "1"}, {"SIZE", "1"}}), "501 5.5.4 Duplicate SIZE parameter");
  EXPECT_EQ(mail_reply({{"BODY", "7BIT"}, {"SIZE", "1"}, {"BODY", "8BITMIME"}}), "501 5.5.4 Duplicate BODY parameter");
  EXPECT_EQ(mail_reply({{"SMTPUTF8", ""}, {"SMTPUTF8", ""}}), "501 5.5.4 Duplicate SMTPUTF8 parameter");
  EXPECT_EQ(mail_reply({{"RET", "FULL"}, {"RET", "HDRS"}}), "501 5.5.4 Duplicate RET parameter");
  EXPECT_EQ(mail_reply({{"ENVID", "a"}, {"ENVID", "b"}}), "501 5.5.4 Duplicate ENVID parameter");
  EXPECT_EQ(mail_reply({{"AUTH", "<>"}, {"AUTH", "<>"}}), "501 5.5.4 Duplicate AUTH parameter");
  // The first refusal in the order sent is the one answered.
  EXPECT_EQ(mail_reply({{"SIZE", "x"}, {"SIZE", "1"}}), "501 5.5.4 Bad SIZE parameter");
}

TEST(MailParameters, FromACommandLine) {
  auto path = parse_reverse_path("<a@b.example> size=100 body=8bitmime smtputf8 ret=full envid=x+2By");
  ASSERT_TRUE(path.ok());
  auto m = parse_mail_parameters(path->params, true);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->size, 100u);
  EXPECT_EQ(m->body, "8BITMIME");
  EXPECT_TRUE(m->smtputf8);
  EXPECT_EQ(m->ret, "FULL");
  EXPECT_EQ(m->envid, "x+2By");
}

// --- RCPT TO ---------------------------------------------------------------------

TEST(RcptParameters, NoneGiven) {
  auto r = rcpt({});
  EXPECT_EQ(r.notify, "");
  EXPECT_EQ(r.orcpt, "");
  EXPECT_TRUE(parse_rcpt_parameters({}, false).ok());
}

TEST(RcptParameters, NotifyNeverAlone) {
  EXPECT_EQ(rcpt({{"NOTIFY", "NEVER"}}).notify, "NEVER");
  EXPECT_EQ(rcpt({{"NOTIFY", "never"}}).notify, "NEVER");
  EXPECT_EQ(rcpt_reply({{"NOTIFY", "NEVER,SUCCESS"}}), "501 5.5.4 Bad NOTIFY parameter");
  EXPECT_EQ(rcpt_reply({{"NOTIFY", "FAILURE,NEVER"}}), "501 5.5.4 Bad NOTIFY parameter");
  EXPECT_EQ(rcpt_reply({{"NOTIFY", "NEVER,NEVER"}}), "501 5.5.4 Bad NOTIFY parameter");
}

TEST(RcptParameters, NotifyListIsUpperCasedInTheOrderSent) {
  EXPECT_EQ(rcpt({{"NOTIFY", "SUCCESS"}}).notify, "SUCCESS");
  EXPECT_EQ(rcpt({{"NOTIFY", "success,Failure"}}).notify, "SUCCESS,FAILURE");
  EXPECT_EQ(rcpt({{"NOTIFY", "delay,failure,success"}}).notify, "DELAY,FAILURE,SUCCESS");
}

TEST(RcptParameters, NotifyRefusals) {
  for (const char* bad : {"", ",", "SUCCESS,", ",SUCCESS", "SUCCESS,,FAILURE", "SUCCESS,SUCCESS",
                          "success,SUCCESS", "FAILURE,DELAY,FAILURE", "ALWAYS", "SUCCESS FAILURE", "SUCCESS;DELAY"})
    EXPECT_EQ(rcpt_reply({{"NOTIFY", bad}}), "501 5.5.4 Bad NOTIFY parameter") << bad;
}

TEST(RcptParameters, Orcpt) {
  EXPECT_EQ(rcpt({{"ORCPT", "rfc822;Alice@Example.TEST"}}).orcpt, "rfc822;Alice@Example.TEST");  // as sent
  EXPECT_EQ(rcpt({{"ORCPT", "RFC822;a+2Bb@c"}}).orcpt, "RFC822;a+2Bb@c");
  EXPECT_EQ(rcpt({{"ORCPT", "utf-8;a@b"}}).orcpt, "utf-8;a@b");
  const std::string prefix = "rfc822;";
  const std::string at_limit = prefix + std::string(max_orcpt - prefix.size(), 'o');
  EXPECT_EQ(rcpt({{"ORCPT", at_limit}}).orcpt.size(), 500u);
  EXPECT_EQ(rcpt_reply({{"ORCPT", at_limit + "o"}}), "501 5.5.4 Bad ORCPT parameter");
  for (const char* bad : {"", "rfc822", "rfc822;", ";a@b", "rfc_822;a@b", "rfc822;a+2bb@c", "rfc822;a+",
                          "rfc822;a=b", "rfc822;a;b=c", "rfc822;caf\xc3\xa9"})
    EXPECT_EQ(rcpt_reply({{"ORCPT", bad}}), "501 5.5.4 Bad ORCPT parameter") << bad;
  // A second ";" is an xchar of the address.
  EXPECT_EQ(rcpt({{"ORCPT", "rfc822;a;b"}}).orcpt, "rfc822;a;b");
}

TEST(RcptParameters, UnknownKeyIs555) {
  EXPECT_EQ(rcpt_reply({{"SIZE", "1"}}), "555 5.5.4 Unsupported option: SIZE");
  EXPECT_EQ(rcpt_reply({{"NOTIFY", "NEVER"}, {"FROB", ""}}), "555 5.5.4 Unsupported option: FROB");
}

TEST(RcptParameters, EveryParameterAfterHeloIs555) {
  EXPECT_EQ(rcpt_reply({{"NOTIFY", "NEVER"}}, false), "555 5.5.4 Unsupported option: NOTIFY");
  EXPECT_EQ(rcpt_reply({{"ORCPT", "rfc822;a@b"}}, false), "555 5.5.4 Unsupported option: ORCPT");
}

TEST(RcptParameters, DuplicateIs501) {
  EXPECT_EQ(rcpt_reply({{"NOTIFY", "NEVER"}, {"NOTIFY", "NEVER"}}), "501 5.5.4 Duplicate NOTIFY parameter");
  EXPECT_EQ(rcpt_reply({{"ORCPT", "rfc822;a@b"}, {"ORCPT", "rfc822;a@b"}}), "501 5.5.4 Duplicate ORCPT parameter");
}

TEST(RcptParameters, FromACommandLine) {
  auto path = parse_forward_path("<a@b.example> notify=failure,delay orcpt=rfc822;A+40b");
  ASSERT_TRUE(path.ok());
  auto r = parse_rcpt_parameters(path->params, true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->notify, "FAILURE,DELAY");
  EXPECT_EQ(r->orcpt, "rfc822;A+40b");
}

}  // namespace
}  // namespace dirmail::smtp
