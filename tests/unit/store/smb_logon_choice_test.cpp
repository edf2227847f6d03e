#include "dirmail/store/smb_logon_choice.hpp"

#include <gtest/gtest.h>

namespace dirmail::store {
namespace {

SmbLogonSettings settings(std::string logon, std::string credentials_file, std::string keytab = "/etc/krb5.keytab") {
  return {std::move(logon), std::move(credentials_file), std::move(keytab), "MAIL$@CORP.EXAMPLE.TEST"};
}

TEST(SmbLogonChoice, AutoTakesTheCredentialsFileWhenOneIsSet) {
  auto got = choose_smb_logon(settings("auto", "/etc/dirmail/smb.cred"));
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_FALSE(got->kerberos);
  EXPECT_EQ(got->credentials_file, "/etc/dirmail/smb.cred");
}

TEST(SmbLogonChoice, AutoWithoutCredentialsFileLogsOnWithTheKeytab) {
  auto got = choose_smb_logon(settings("auto", ""));
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(got->kerberos);
  EXPECT_EQ(got->keytab, "/etc/krb5.keytab");
  EXPECT_EQ(got->principal, "MAIL$@CORP.EXAMPLE.TEST");
}

TEST(SmbLogonChoice, KerberosAndPasswordAreTakenAsSaid) {
  auto kerberos = choose_smb_logon(settings("kerberos", ""));
  ASSERT_TRUE(kerberos.ok()) << kerberos.error().message;
  EXPECT_TRUE(kerberos->kerberos);
  auto password = choose_smb_logon(settings("password", "smb.cred"));
  ASSERT_TRUE(password.ok()) << password.error().message;
  EXPECT_FALSE(password->kerberos);
  EXPECT_EQ(password->credentials_file, "smb.cred");
}

TEST(SmbLogonChoice, PasswordWithoutCredentialsFileNamesTheSettings) {
  auto got = choose_smb_logon(settings("password", ""));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(got.error().message.find("store.smb_logon = password needs store.smb_credentials_file"), std::string::npos)
      << got.error().message;
}

TEST(SmbLogonChoice, KerberosWithACredentialsFileIsRefusedRatherThanIgnored) {
  auto got = choose_smb_logon(settings("kerberos", "smb.cred"));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message.find("store.smb_logon = kerberos does not use store.smb_credentials_file"),
            std::string::npos)
      << got.error().message;
}

TEST(SmbLogonChoice, KerberosWithoutKeytabNamesDirectoryKeytab) {
  auto explicit_kerberos = choose_smb_logon(settings("kerberos", "", ""));
  ASSERT_FALSE(explicit_kerberos.ok());
  EXPECT_NE(explicit_kerberos.error().message.find("store.smb_logon = kerberos"), std::string::npos);
  EXPECT_NE(explicit_kerberos.error().message.find("needs directory.keytab"), std::string::npos);
  auto automatic = choose_smb_logon(settings("auto", "", ""));
  ASSERT_FALSE(automatic.ok());
  EXPECT_NE(automatic.error().message.find("store.smb_logon = auto (no store.smb_credentials_file)"),
            std::string::npos)
      << automatic.error().message;
}

TEST(SmbLogonChoice, UnknownValueIsRefused) {
  auto got = choose_smb_logon(settings("ntlm", ""));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "store.smb_logon = \"ntlm\" is not one of auto, password, kerberos");
}

}  // namespace
}  // namespace dirmail::store
