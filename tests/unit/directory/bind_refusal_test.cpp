#include <gtest/gtest.h>

#include <string>

#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {
namespace {

using namespace std::string_literals;

// What Windows Server DCs say in the diagnostic message of an invalidCredentials
// (49) answer to a simple bind, one per sub-code.
std::string windows_message(const char* code) {
  return std::string("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ") + code +
         ", v4563";
}

TEST(BindRefusal, ActiveDirectorySubCodes) {
  EXPECT_EQ(parse_bind_refusal(windows_message("52e")), BindRefusal::bad_credentials);
  EXPECT_EQ(parse_bind_refusal(windows_message("525")), BindRefusal::no_such_user);
  EXPECT_EQ(parse_bind_refusal(windows_message("530")), BindRefusal::logon_hours);
  EXPECT_EQ(parse_bind_refusal(windows_message("531")), BindRefusal::workstation);
  EXPECT_EQ(parse_bind_refusal(windows_message("532")), BindRefusal::password_expired);
  EXPECT_EQ(parse_bind_refusal(windows_message("533")), BindRefusal::disabled);
  EXPECT_EQ(parse_bind_refusal(windows_message("701")), BindRefusal::account_expired);
  EXPECT_EQ(parse_bind_refusal(windows_message("773")), BindRefusal::must_change_password);
  EXPECT_EQ(parse_bind_refusal(windows_message("775")), BindRefusal::locked);
}

TEST(BindRefusal, OtherServersAndVersions) {
  // Samba 4 (what the fixture DC sends for a disabled account).
  EXPECT_EQ(parse_bind_refusal("80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 533, v1db1"),
            BindRefusal::disabled);
  // Windows Server 2019 wording, with the NUL that AD puts at the end of the text.
  EXPECT_EQ(parse_bind_refusal("80090308: LdapErr: DSID-0C090569, comment: AcceptSecurityContext error, "
                               "data 775, v4f7c\0"s),
            BindRefusal::locked);
  EXPECT_EQ(parse_bind_refusal("... data 701\0"s), BindRefusal::account_expired);
  // slapd (and any server that explains nothing): a plain wrong password.
  EXPECT_EQ(parse_bind_refusal(""), BindRefusal::bad_credentials);
  EXPECT_EQ(parse_bind_refusal("Invalid credentials"), BindRefusal::bad_credentials);
  // Case and leading zeros do not matter.
  EXPECT_EQ(parse_bind_refusal("DATA 533"), BindRefusal::disabled);
  EXPECT_EQ(parse_bind_refusal("comment: x, data 00000773, v1"), BindRefusal::must_change_password);
}

TEST(BindRefusal, OnlyAWholeDataWordCounts) {
  EXPECT_EQ(parse_bind_refusal(windows_message("52f")), BindRefusal::bad_credentials);  // unknown sub-code
  EXPECT_EQ(parse_bind_refusal("metadata 533"), BindRefusal::bad_credentials);
  EXPECT_EQ(parse_bind_refusal("data 533x, v1"), BindRefusal::bad_credentials);
  EXPECT_EQ(parse_bind_refusal("data , data 533"), BindRefusal::disabled);  // the first is not a number
  EXPECT_EQ(parse_bind_refusal("data 100000533"), BindRefusal::bad_credentials);  // over 8 digits
  EXPECT_EQ(parse_bind_refusal("data"), BindRefusal::bad_credentials);
  EXPECT_EQ(parse_bind_refusal("data "), BindRefusal::bad_credentials);
}

TEST(BindRefusal, ReadsOnlyUpToTheLimit) {
  // The limit cuts the code itself: "data 53" is no known sub-code.
  std::string padding(max_bind_diagnostic - 8, 'x');
  EXPECT_EQ(parse_bind_refusal(padding + " data 533"), BindRefusal::bad_credentials);
  // What lies past the limit is never read, not even to see that "533" goes on.
  std::string to_the_limit(max_bind_diagnostic - 9, 'x');
  EXPECT_EQ(parse_bind_refusal(to_the_limit + ",data 533" + std::string(5000, 'y')), BindRefusal::disabled);
  EXPECT_EQ(parse_bind_refusal(std::string(max_bind_diagnostic - 10, 'x') + ",data 533"), BindRefusal::disabled);
  EXPECT_EQ(parse_bind_refusal(std::string(1 << 20, 'x') + ",data 533"), BindRefusal::bad_credentials);
}

TEST(BindRefusal, Names) {
  EXPECT_EQ(to_string(BindRefusal::bad_credentials), "bad_credentials");
  EXPECT_EQ(to_string(BindRefusal::disabled), "disabled");
  EXPECT_EQ(to_string(BindRefusal::locked), "locked");
  EXPECT_EQ(to_string(BindRefusal::must_change_password), "must_change_password");
}

}  // namespace
}  // namespace dirmail::directory
