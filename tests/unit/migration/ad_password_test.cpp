// Active Directory passwords as the importer sets them: the domain policy's pre-check
// (spec §11, with its examples), AD's policy refusal told from other refusals, and
// the unicodePwd value.
#include "../../../src/migration/ad_password.hpp"

#include <gtest/gtest.h>

namespace dirmail::migration {
namespace {

constexpr AdPasswordPolicy samba_default{7, true};  // minPwdLength 7, complexity on
constexpr AdPasswordPolicy relaxed{1, false};

bool passes(const AdPasswordPolicy& policy, std::string_view account, std::string_view password) {
  return !password_policy_objection(policy, account, password).has_value();
}

TEST(AdPasswordPolicyCheck, TheSpecsExamplesFailComplexity) {
  EXPECT_FALSE(passes(samba_default, "user3", "12345678"));  // digits only
  EXPECT_FALSE(passes(samba_default, "user3", "pass1234"));  // lower case and digits
  EXPECT_EQ(password_policy_objection(samba_default, "user3", "pass1234"),
            "has characters of fewer than 3 of the classes upper case, lower case, digits and others");
  EXPECT_TRUE(passes(samba_default, "user3", "Pass1234"));
  EXPECT_TRUE(passes(samba_default, "user3", "pass-1234"));
  EXPECT_TRUE(passes(samba_default, "user3", "PASS#word"));
}

TEST(AdPasswordPolicyCheck, ComplexityOffTakesWeakPasswordsOfTheMinimumLength) {
  EXPECT_TRUE(passes(relaxed, "user3", "pass1234"));
  EXPECT_TRUE(passes(relaxed, "user3", "user3"));
  EXPECT_FALSE(passes(relaxed, "user3", ""));
  EXPECT_TRUE(passes(AdPasswordPolicy{0, false}, "user3", ""));
}

TEST(AdPasswordPolicyCheck, MinimumLengthCountsCharactersNotOctets) {
  EXPECT_EQ(password_policy_objection(samba_default, "user3", "Ab1!xy"),
            "shorter than the domain's minimum of 7 characters");
  EXPECT_TRUE(passes(samba_default, "user3", "Ab1!xyz"));
  // Six Japanese characters are 18 octets of UTF-8 but 6 characters.
  EXPECT_FALSE(passes(AdPasswordPolicy{7, false}, "user3", "パスワード１"));
  EXPECT_TRUE(passes(AdPasswordPolicy{6, false}, "user3", "パスワード１"));
  // Above U+FFFF a character is two UTF-16 units, as AD counts.
  EXPECT_TRUE(passes(AdPasswordPolicy{4, false}, "user3", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));
  EXPECT_FALSE(passes(AdPasswordPolicy{5, false}, "user3", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));
}

TEST(AdPasswordPolicyCheck, ComplexityAsksForSixCharactersEvenWithALowerMinimum) {
  AdPasswordPolicy complex_only{0, true};
  EXPECT_EQ(password_policy_objection(complex_only, "user3", "Ab1!x"),
            "shorter than the 6 characters the complexity rule asks for");
  EXPECT_TRUE(passes(complex_only, "user3", "Ab1!xy"));
}

TEST(AdPasswordPolicyCheck, TheAccountNameMayNotBeInThePasswordIgnoringCase) {
  EXPECT_EQ(password_policy_objection(samba_default, "yamada", "My-YAMADA-99"), "contains the account name");
  EXPECT_FALSE(passes(samba_default, "bob", "xBob-1234"));
  // Names of one or two characters are not looked for.
  EXPECT_TRUE(passes(samba_default, "ab", "Xab-12345"));
  // Only with complexity on.
  EXPECT_TRUE(passes(relaxed, "yamada", "yamada1"));
}

TEST(AdPasswordPolicyCheck, OtherCharactersCountAsTheFourthClass) {
  EXPECT_TRUE(passes(samba_default, "user3", "pass word1"));
  EXPECT_TRUE(passes(samba_default, "user3", "パスword1"));
  EXPECT_FALSE(passes(samba_default, "user3", "パスワードです"));  // one class only
}

TEST(AdPasswordPolicy, ReadFromTheDomainHead) {
  directory::LdapEntry head;
  head.dn = "DC=corp,DC=example,DC=test";
  head.attributes = {{"minPwdLength", {"7"}}, {"pwdProperties", {"1"}}};
  auto policy = parse_ad_password_policy(head);
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_EQ(policy->min_length, 7u);
  EXPECT_TRUE(policy->complex);

  head.attributes = {{"minPwdLength", {"0"}}, {"pwdProperties", {"16"}}};  // DOMAIN_REFUSE_PASSWORD_CHANGE only
  policy = parse_ad_password_policy(head);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->min_length, 0u);
  EXPECT_FALSE(policy->complex);

  head.attributes = {};
  policy = parse_ad_password_policy(head);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->min_length, 0u);
  EXPECT_FALSE(policy->complex);

  head.attributes = {{"minPwdLength", {"seven"}}};
  policy = parse_ad_password_policy(head);
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code, ErrorCode::protocol_error);
  EXPECT_EQ(policy.error().message, "the domain head's minPwdLength is not a number: seven");
}

TEST(AdPasswordRefusal, ConstraintViolationOrUnwillingWith52DIsThePolicy) {
  EXPECT_TRUE(is_password_policy_refusal(
      19, "0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be "
          "equal or longer than 7 characters!"));
  EXPECT_TRUE(is_password_policy_refusal(
      53, "0000052D: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM), data 0\n"));
  EXPECT_TRUE(is_password_policy_refusal(19, "0000052d: constraint violation"));
}

TEST(AdPasswordRefusal, OtherRefusalsAreNot) {
  EXPECT_FALSE(is_password_policy_refusal(19, "00002082: AtrErr: DSID-03151904, #1: 0: 00002082: ..."));
  EXPECT_FALSE(is_password_policy_refusal(53, "00002077: SvcErr: DSID-03190F4C, problem 5003 (WILL_NOT_PERFORM)"));
  EXPECT_FALSE(is_password_policy_refusal(50, "0000052D: insufficient access"));
  EXPECT_FALSE(is_password_policy_refusal(68, "0000052D"));
  EXPECT_FALSE(is_password_policy_refusal(19, ""));
}

TEST(UnicodePwd, IsTheQuotedPasswordInUtf16LittleEndian) {
  EXPECT_EQ(unicode_pwd_value("Ab1!"), std::string("\"\0A\0b\0001\0!\0\"\0", 12));
  EXPECT_EQ(unicode_pwd_value("é"), std::string("\"\0\xE9\0\"\0", 6));
  EXPECT_EQ(unicode_pwd_value("\xF0\x9F\x98\x80"), std::string("\"\0\x3D\xD8\x00\xDE\"\0", 8));  // surrogate pair
  EXPECT_EQ(unicode_pwd_value(""), std::string("\"\0\"\0", 4));
}

TEST(UnicodePwd, RefusesTextThatIsNotUtf8) {
  EXPECT_FALSE(unicode_pwd_value("pass\xFF").has_value());
  EXPECT_FALSE(unicode_pwd_value("\xC3").has_value());
}

}  // namespace
}  // namespace dirmail::migration
