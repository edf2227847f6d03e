// The names Kerberos single sign-on decides on: the service a ticket was issued for
// (read from the client's first token), the account of a client principal, and the
// authorization identities that mean "myself".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/kerberos_ticket_name.hpp"
#include "kerberos_tokens.hpp"

namespace dirmail::auth {
namespace {

using testing::initial_token;

TEST(TicketServicePrincipal, ReadsTheTicketsServerNameAndRealm) {
  auto name = ticket_service_principal(initial_token({"imap", "mail.corp.example.test"}, "CORP.EXAMPLE.TEST"));
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "imap/mail.corp.example.test@CORP.EXAMPLE.TEST");
  // Long forms of the DER length (a ticket with a PAC is kilobytes).
  auto big = ticket_service_principal(initial_token({"smtp", "mail.corp.example.test"}, "CORP.EXAMPLE.TEST", 3000));
  ASSERT_TRUE(big.ok()) << big.error().message;
  EXPECT_EQ(*big, "smtp/mail.corp.example.test@CORP.EXAMPLE.TEST");
}

TEST(TicketServicePrincipal, RefusesWhatIsNotAKerberosApReq) {
  std::string good = initial_token({"imap", "mail.corp.example.test"}, "CORP.EXAMPLE.TEST");
  EXPECT_EQ(ticket_service_principal("").error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(ticket_service_principal(good.substr(0, good.size() - 1)).ok());  // truncated
  std::string other_mech = good;
  other_mech[12] = '\x03';  // last octet of the OID
  EXPECT_FALSE(ticket_service_principal(other_mech).ok());
  std::string ap_rep = good;
  ap_rep[15] = '\x02';  // token id 02 00: an AP-REP
  EXPECT_FALSE(ticket_service_principal(ap_rep).ok());
  // Names that could not be compared safely.
  EXPECT_FALSE(ticket_service_principal(initial_token({"imap", "host/evil"}, "CORP.EXAMPLE.TEST")).ok());
  EXPECT_FALSE(ticket_service_principal(initial_token({"imap", "mail"}, "CORP@X")).ok());
  EXPECT_FALSE(ticket_service_principal(initial_token({}, "CORP.EXAMPLE.TEST")).ok());
  EXPECT_EQ(ticket_service_principal(std::string(max_gssapi_token + 1, '\x60')).error().code,
            ErrorCode::limit_exceeded);
}

TEST(AccountNameOfPrincipal, TheFirstComponentInTheConfiguredRealm) {
  EXPECT_EQ(*account_name_of_principal("alice@CORP.EXAMPLE.TEST", "CORP.EXAMPLE.TEST"), "alice");
  EXPECT_EQ(*account_name_of_principal("alice@CORP.EXAMPLE.TEST", "corp.example.test"), "alice");
  EXPECT_FALSE(account_name_of_principal("alice@OTHER.TEST", "CORP.EXAMPLE.TEST").ok());
  EXPECT_FALSE(account_name_of_principal("alice", "CORP.EXAMPLE.TEST").ok());
  EXPECT_FALSE(account_name_of_principal("imap/mail.corp.example.test@CORP.EXAMPLE.TEST", "CORP.EXAMPLE.TEST").ok());
  EXPECT_FALSE(account_name_of_principal("@CORP.EXAMPLE.TEST", "CORP.EXAMPLE.TEST").ok());
  EXPECT_FALSE(account_name_of_principal("a*b@CORP.EXAMPLE.TEST", "CORP.EXAMPLE.TEST").ok());
  EXPECT_FALSE(account_name_of_principal("alice@CORP.EXAMPLE.TEST", "").ok());
}

TEST(AuthzidIsUser, OnlyTheUserThemself) {
  EXPECT_TRUE(authzid_is_user("", "alice@CORP.EXAMPLE.TEST", "alice"));
  EXPECT_TRUE(authzid_is_user("alice@CORP.EXAMPLE.TEST", "alice@CORP.EXAMPLE.TEST", "alice"));
  EXPECT_TRUE(authzid_is_user("Alice", "alice@CORP.EXAMPLE.TEST", "alice"));
  EXPECT_TRUE(authzid_is_user("alice@example.test", "alice@CORP.EXAMPLE.TEST", "alice"));
  EXPECT_FALSE(authzid_is_user("bob", "alice@CORP.EXAMPLE.TEST", "alice"));
  EXPECT_FALSE(authzid_is_user("bob@example.test", "alice@CORP.EXAMPLE.TEST", "alice"));
  EXPECT_FALSE(authzid_is_user("alicex", "alice@CORP.EXAMPLE.TEST", "alice"));
}

TEST(GssapiAcceptor, NamesTheMissingPrincipalAndKeytab) {
  auto loaded = GssapiAcceptor::load({"/nonexistent/mail.keytab", "imap", "mail.corp.example.test", "corp.example.test"});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("imap/mail.corp.example.test@CORP.EXAMPLE.TEST"), std::string::npos);
  EXPECT_NE(loaded.error().message.find("/nonexistent/mail.keytab"), std::string::npos);
  EXPECT_FALSE(GssapiAcceptor::load({"/etc/krb5.keytab", "imap", "mail.corp.example.test", ""}).ok());
}

}  // namespace
}  // namespace dirmail::auth
