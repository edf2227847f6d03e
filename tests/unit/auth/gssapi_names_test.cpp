// The names Kerberos single sign-on decides on: the service a ticket was issued for
// (read from the client's first token), the account of a client principal, and the
// authorization identities that mean "myself".
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/kerberos_ticket_name.hpp"

namespace dirmail::auth {
namespace {

std::string der(unsigned char tag, const std::string& contents) {
  std::string out(1, static_cast<char>(tag));
  std::size_t n = contents.size();
  if (n < 0x80) {
    out += static_cast<char>(n);
  } else if (n < 0x100) {
    out += '\x81';
    out += static_cast<char>(n);
  } else {
    out += '\x82';
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  }
  return out + contents;
}

// A Kerberos 5 initial context token around an AP-REQ whose ticket names `components`
// in `realm` (RFC 1964 §1.1, RFC 4120 §5.3 and §5.5.1); the encrypted parts are filler.
std::string initial_token(const std::vector<std::string>& components, const std::string& realm,
                          std::size_t filler = 40) {
  std::string names;
  for (const auto& c : components) names += der(0x1b, c);
  std::string sname = der(0x30, der(0xa0, der(0x02, "\x02")) + der(0xa1, der(0x30, names)));
  std::string enc_part = der(0x30, der(0xa0, der(0x02, "\x12")) + der(0xa2, der(0x04, std::string(filler, 'x'))));
  std::string ticket = der(0x61, der(0x30, der(0xa0, der(0x02, "\x05")) + der(0xa1, der(0x1b, realm)) +
                                               der(0xa2, sname) + der(0xa3, enc_part)));
  std::string ap_req = der(0x6e, der(0x30, der(0xa0, der(0x02, "\x05")) + der(0xa1, der(0x02, "\x0e")) +
                                               der(0xa2, der(0x03, std::string("\x00\x20\x00\x00\x00", 5))) +
                                               der(0xa3, ticket) + der(0xa4, enc_part)));
  return der(0x60, std::string("\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02", 11) + std::string("\x01\x00", 2) +
                       ap_req);
}

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
