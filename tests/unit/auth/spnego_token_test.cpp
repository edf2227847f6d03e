// The SPNEGO reader of GSS-SPNEGO (auth/spnego_token.hpp): it finds the Kerberos token
// a client's NegTokenInit or NegTokenResp carries, and refuses every token that could
// be read two ways, so the ticket it hands to the service check is the one SPNEGO uses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dirmail/auth/kerberos_ticket_name.hpp"
#include "dirmail/auth/spnego_token.hpp"
#include "kerberos_tokens.hpp"

namespace dirmail::auth {
namespace {

using testing::der;
using testing::initial_token;
using testing::krb5_oid;
using testing::ms_krb5_oid;
using testing::neg_token_init_fields;
using testing::ntlm_oid;
using testing::spnego_init;
using testing::spnego_init_from_fields;
using testing::spnego_oid;
using testing::spnego_response;

const std::string imap_ticket = initial_token({"imap", "mail.corp.example.test"}, "CORP.EXAMPLE.TEST");

TEST(SpnegoClientToken, FindsTheOptimisticKerberosTokenOfANegTokenInit) {
  // The token's views point into the input: keep it.
  const std::string input = spnego_init({ms_krb5_oid, krb5_oid, ntlm_oid}, imap_ticket);
  auto token = parse_spnego_client_token(input);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->kind, SpnegoClientToken::Kind::init);
  ASSERT_EQ(token->mech_types.size(), 3u);
  EXPECT_EQ(token->mech_types[0], ms_krb5_oid);
  EXPECT_EQ(token->mech_types[2], ntlm_oid);
  EXPECT_EQ(token->mech_token, imap_ticket);
  EXPECT_EQ(*ticket_service_principal(token->mech_token), "imap/mail.corp.example.test@CORP.EXAMPLE.TEST");
  // A ticket with a PAC is kilobytes: the long length forms.
  std::string big = initial_token({"imap", "mail.corp.example.test"}, "CORP.EXAMPLE.TEST", 12000);
  const std::string large_input = spnego_init({krb5_oid}, big);
  auto large = parse_spnego_client_token(large_input);
  ASSERT_TRUE(large.ok()) << large.error().message;
  EXPECT_EQ(large->mech_token, big);
}

TEST(SpnegoClientToken, ANegTokenInitMayCarryNoTokenAndTheOptionalFields) {
  const std::string bare_input = spnego_init({krb5_oid}, "");
  auto bare = parse_spnego_client_token(bare_input);
  ASSERT_TRUE(bare.ok()) << bare.error().message;
  EXPECT_TRUE(bare->mech_token.empty());
  // reqFlags [1] and mechListMIC [3] around the token are read past.
  std::string fields = der(0xa0, der(0x30, der(0x06, krb5_oid))) + der(0xa1, der(0x03, std::string("\x01\x22", 2))) +
                       der(0xa2, der(0x04, imap_ticket)) + der(0xa3, der(0x04, "mic"));
  const std::string full_input = spnego_init_from_fields(fields);
  auto full = parse_spnego_client_token(full_input);
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->mech_token, imap_ticket);
}

TEST(SpnegoClientToken, FindsTheResponseTokenOfANegTokenResp) {
  const std::string later_input = spnego_response(imap_ticket);
  auto later = parse_spnego_client_token(later_input);
  ASSERT_TRUE(later.ok()) << later.error().message;
  EXPECT_EQ(later->kind, SpnegoClientToken::Kind::response);
  EXPECT_TRUE(later->mech_types.empty());
  EXPECT_EQ(later->mech_token, imap_ticket);
  // The client's last token: only the mechListMIC.
  const std::string mic_input = spnego_response("", "checksum");
  auto mic_only = parse_spnego_client_token(mic_input);
  ASSERT_TRUE(mic_only.ok()) << mic_only.error().message;
  EXPECT_TRUE(mic_only->mech_token.empty());
  // negState accept-incomplete [0] before it.
  std::string with_state = der(0xa1, der(0x30, der(0xa0, der(0x0a, "\x01")) + der(0xa2, der(0x04, imap_ticket))));
  EXPECT_EQ(parse_spnego_client_token(with_state)->mech_token, imap_ticket);
}

TEST(SpnegoClientToken, RefusesWhatIsNotSpnego) {
  EXPECT_EQ(parse_spnego_client_token("").error().code, ErrorCode::invalid_argument);
  auto bare_kerberos = parse_spnego_client_token(imap_ticket);
  ASSERT_FALSE(bare_kerberos.ok());
  EXPECT_NE(bare_kerberos.error().message.find("Kerberos 5, not SPNEGO"), std::string::npos);
  EXPECT_FALSE(parse_spnego_client_token("NTLMSSP\0\1\0\0\0").ok());
  // The SPNEGO OID with a NegTokenResp inside: not a first token.
  EXPECT_FALSE(parse_spnego_client_token(der(0x60, der(0x06, spnego_oid) + spnego_response(imap_ticket))).ok());
}

// Each of these could be read differently by another SPNEGO decoder: refused.
TEST(SpnegoClientToken, RefusesAmbiguousEncodings) {
  std::string good = spnego_init({krb5_oid}, imap_ticket);
  EXPECT_FALSE(parse_spnego_client_token(good.substr(0, good.size() - 1)).ok());  // truncated
  EXPECT_FALSE(parse_spnego_client_token(good + '\0').ok());                        // trailing data
  std::string mech_types = der(0xa0, der(0x30, der(0x06, krb5_oid)));
  std::string token_field = der(0xa2, der(0x04, imap_ticket));
  std::string other_ticket = der(0xa2, der(0x04, initial_token({"smtp", "mail.corp.example.test"}, "CORP.EXAMPLE.TEST")));
  EXPECT_FALSE(parse_spnego_client_token(spnego_init_from_fields(mech_types + token_field + other_ticket)).ok());
  EXPECT_FALSE(parse_spnego_client_token(spnego_init_from_fields(token_field + mech_types)).ok());  // out of order
  EXPECT_FALSE(parse_spnego_client_token(spnego_init_from_fields(token_field)).ok());  // no mechTypes
  EXPECT_FALSE(parse_spnego_client_token(spnego_init_from_fields(mech_types + der(0xa4, ""))).ok());  // unknown
  // Something after the NegTokenInit, and after the token inside its OCTET STRING.
  EXPECT_FALSE(parse_spnego_client_token(der(0x60, der(0x06, spnego_oid) + der(0xa0, der(0x30, mech_types)) + "x")).ok());
  EXPECT_FALSE(parse_spnego_client_token(
                   spnego_init_from_fields(mech_types + der(0xa2, der(0x04, imap_ticket) + der(0x04, "x"))))
                   .ok());
  // An empty mechToken, an empty mechTypes list, a bad OID, the indefinite length.
  EXPECT_FALSE(parse_spnego_client_token(spnego_init_from_fields(mech_types + der(0xa2, der(0x04, "")))).ok());
  EXPECT_FALSE(parse_spnego_client_token(spnego_init_from_fields(der(0xa0, der(0x30, "")))).ok());
  EXPECT_FALSE(parse_spnego_client_token(spnego_init({std::string("\x2a\x86", 2)}, "")).ok());
  std::string indefinite = good;
  indefinite[1] = '\x80';
  EXPECT_FALSE(parse_spnego_client_token(indefinite).ok());
  // A NegTokenResp with a field twice or a negState out of range.
  std::string twice = der(0xa1, der(0x30, token_field + token_field));
  EXPECT_FALSE(parse_spnego_client_token(twice).ok());
  EXPECT_FALSE(parse_spnego_client_token(der(0xa1, der(0x30, der(0xa0, der(0x0a, "\x04"))))).ok());
}

TEST(SpnegoClientToken, HasLimits) {
  EXPECT_EQ(parse_spnego_client_token(std::string(max_gssapi_token + 1, '\x60')).error().code,
            ErrorCode::limit_exceeded);
  std::vector<std::string> many(max_spnego_mech_types, krb5_oid);
  EXPECT_TRUE(parse_spnego_client_token(spnego_init(many, "")).ok());
  many.push_back(krb5_oid);
  EXPECT_EQ(parse_spnego_client_token(spnego_init(many, "")).error().code, ErrorCode::limit_exceeded);
  std::string longest_oid = "\x2a" + std::string(max_spnego_oid - 1, '\x01');  // 1.2.1.1.1...
  EXPECT_TRUE(parse_spnego_client_token(spnego_init({longest_oid}, "")).ok());
  EXPECT_FALSE(parse_spnego_client_token(spnego_init({longest_oid + "\x01"}, "")).ok());
}

TEST(SpnegoMechanisms, NamesForTheLog) {
  EXPECT_TRUE(is_kerberos_oid(krb5_oid));
  EXPECT_TRUE(is_kerberos_oid(ms_krb5_oid));
  EXPECT_FALSE(is_kerberos_oid(ntlm_oid));
  EXPECT_EQ(mechanism_name(ntlm_oid), "NTLM");
  EXPECT_EQ(mechanism_name(krb5_oid), "Kerberos 5");
  EXPECT_EQ(oid_text(krb5_oid), "1.2.840.113554.1.2.2");
  EXPECT_EQ(oid_text(ms_krb5_oid), "1.2.840.48018.1.2.2");
  EXPECT_EQ(mechanism_name(std::string("\x2b\x06\x01\x05\x02\x07", 6)), "1.3.6.1.5.2.7");
  EXPECT_EQ(oid_text(std::string("\x88\x37\x03", 3)), "2.999.3");
  EXPECT_EQ(oid_text(""), "");
  EXPECT_EQ(oid_text(std::string("\x2a\x86", 2)), "");        // unfinished
  EXPECT_EQ(oid_text(std::string("\x2a\x80\x01", 3)), "");    // not the shortest form
  EXPECT_EQ(oid_text(std::string(10, '\xff') + '\x01'), "");  // over 64 bits
}

}  // namespace
}  // namespace dirmail::auth
