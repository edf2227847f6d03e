#include "dirmail/auth/kerberos_password_check.hpp"

#include <gtest/gtest.h>
#include <krb5/krb5.h>

namespace dirmail::auth {
namespace {

using O = KerberosPasswordOutcome;

TEST(KerberosPasswordOutcome, AsExchangeErrorsMapToWhatTheUserDid) {
  EXPECT_EQ(outcome_of_as_exchange(0), O::accepted);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KDC_ERR_PREAUTH_FAILED), O::bad_password);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KRB_AP_ERR_BAD_INTEGRITY), O::bad_password);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN), O::unknown_principal);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KDC_ERR_CLIENT_REVOKED), O::revoked);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KDC_ERR_KEY_EXP), O::password_expired);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KRB_AP_ERR_SKEW), O::clock_skew);
  EXPECT_EQ(outcome_of_as_exchange(KRB5_KDC_UNREACH), O::kdc_unreachable);
  EXPECT_EQ(outcome_of_as_exchange(KRB5_REALM_CANT_RESOLVE), O::kdc_unreachable);
  EXPECT_EQ(outcome_of_as_exchange(KRB5_CONFIG_NODEFREALM), O::configuration_error);
  EXPECT_EQ(outcome_of_as_exchange(KRB5KDC_ERR_POLICY), O::refused);
}

TEST(KerberosPasswordOutcome, VerificationErrorsAreOursNotTheUsers) {
  EXPECT_EQ(outcome_of_verification(0), O::accepted);
  // A key that does not decrypt the service ticket is a stale keytab or a spoofed
  // KDC, never a wrong password.
  EXPECT_EQ(outcome_of_verification(KRB5KRB_AP_ERR_BAD_INTEGRITY), O::configuration_error);
  EXPECT_EQ(outcome_of_verification(KRB5KRB_AP_ERR_MODIFIED), O::configuration_error);
  EXPECT_EQ(outcome_of_verification(KRB5_KT_NOTFOUND), O::configuration_error);
  EXPECT_EQ(outcome_of_verification(KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN), O::configuration_error);
  EXPECT_EQ(outcome_of_verification(KRB5_KDC_UNREACH), O::kdc_unreachable);
  EXPECT_EQ(outcome_of_verification(KRB5KRB_AP_ERR_SKEW), O::clock_skew);
}

TEST(KerberosPasswordOutcome, TemporaryOnlyWhenTheFaultIsNotTheUsers) {
  EXPECT_TRUE(is_temporary(O::kdc_unreachable));
  EXPECT_TRUE(is_temporary(O::clock_skew));
  EXPECT_TRUE(is_temporary(O::configuration_error));
  for (O o : {O::accepted, O::empty_password, O::bad_password, O::unknown_principal, O::revoked,
              O::password_expired, O::refused})
    EXPECT_FALSE(is_temporary(o)) << to_string(o);
}

TEST(KerberosPasswordCheck, EmptyPasswordIsRefusedWithoutAKdc) {
  // The realm has no KDC anywhere: an attempt to ask one would be kdc_unreachable.
  KerberosPasswordCheckOptions options;
  options.realm = "NO-KDC.INVALID";
  options.keytab = "/nonexistent.keytab";
  KerberosPasswordCheck check(options);
  auto result = check.check("alice", "");
  EXPECT_EQ(result.outcome, O::empty_password);
  EXPECT_EQ(check.check("", "secret").outcome, O::unknown_principal);
  // Not sAMAccountNames: another principal, a UPN, a realm; never sent to a KDC.
  for (const char* name : {"alice/admin", "alice@OTHER.REALM", "CORP\\alice", "a:b", "tab\there"})
    EXPECT_EQ(check.check(name, "secret").outcome, O::unknown_principal) << name;
  EXPECT_EQ(check.check("alice", std::string("a\0b", 3)).outcome, O::bad_password);
}

}  // namespace
}  // namespace dirmail::auth
