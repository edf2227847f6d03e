// GSS-SPNEGO in GssapiExchange up to MIT's acceptor: which client tokens are refused
// before they reach it, with the reason the log shows, on an acceptor loaded from a
// keytab with random keys (no KDC: the tickets here are hand-made and never decrypt).
// The whole exchange against a real KDC is tests/integration/samba/test_ad_sso.py.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/temp_dir.hpp"
#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/base/base64.hpp"
#include "dirmail/directory/krb5_handles.hpp"
#include "kerberos_tokens.hpp"

namespace dirmail::auth {
namespace {

using testing::initial_token;
using testing::krb5_oid;
using testing::ntlm_oid;
using testing::spnego_init;
using testing::spnego_response;

const std::string host = "mail.corp.example.test";
const std::string realm = "CORP.EXAMPLE.TEST";

// A keytab holding random AES keys for `principals`.
void write_keytab(const std::string& path, const std::vector<std::string>& principals) {
  directory::Krb5Context ctx;
  ASSERT_EQ(krb5_init_context(&ctx.context), 0);
  directory::Krb5Keytab keytab{ctx.context};
  ASSERT_EQ(krb5_kt_resolve(ctx.context, directory::keytab_name_for(path).c_str(), &keytab.keytab), 0);
  for (const auto& name : principals) {
    directory::Krb5Principal principal{ctx.context};
    ASSERT_EQ(krb5_parse_name(ctx.context, name.c_str(), &principal.principal), 0);
    krb5_keytab_entry entry{};
    entry.principal = principal.principal;
    entry.vno = 1;
    ASSERT_EQ(krb5_c_make_random_key(ctx.context, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &entry.key), 0);
    krb5_error_code added = krb5_kt_add_entry(ctx.context, keytab.keytab, &entry);
    krb5_free_keyblock_contents(ctx.context, &entry.key);
    ASSERT_EQ(added, 0);
  }
}

class GssSpnegoExchange : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string keytab = dir_ / "mail.keytab";
    write_keytab(keytab, {"imap/" + host + "@" + realm, "smtp/" + host + "@" + realm});
    auto loaded = GssapiAcceptor::load({keytab, "imap", host, "corp.example.test"});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    acceptor_ = *loaded;
  }

  GssapiStep first_step(const std::string& token, GssMechanism mechanism = GssMechanism::gss_spnego) {
    GssapiExchange exchange(acceptor_, mechanism);
    return exchange.step(base64_encode(token));
  }

  dirmail::testing::TempDir dir_;
  std::shared_ptr<const GssapiAcceptor> acceptor_;
};

std::string ticket_for(const std::string& service) { return initial_token({service, host}, realm); }

TEST_F(GssSpnegoExchange, RefusesATicketForAnotherServiceOfTheAccount) {
  auto step = first_step(spnego_init({krb5_oid}, ticket_for("smtp")));
  EXPECT_EQ(step.state, GssapiStep::State::failed);
  EXPECT_EQ(step.reason, "the ticket is for smtp/mail.corp.example.test@CORP.EXAMPLE.TEST, not for "
                         "imap/mail.corp.example.test@CORP.EXAMPLE.TEST");
}

TEST_F(GssSpnegoExchange, HandsATicketForThisServiceToTheAcceptor) {
  // It passes the checks; MIT then finds that it was not made with the service key.
  auto step = first_step(spnego_init({krb5_oid}, ticket_for("imap")));
  EXPECT_EQ(step.state, GssapiStep::State::failed);
  EXPECT_EQ(step.reason.rfind("GSS-SPNEGO for imap/mail.corp.example.test@CORP.EXAMPLE.TEST refused the ticket: ", 0),
            0u)
      << step.reason;
}

TEST_F(GssSpnegoExchange, AcceptsOnlySpnegoTokens) {
  auto bare = first_step(ticket_for("imap"));  // the mechglue would give it to Kerberos directly
  EXPECT_EQ(bare.state, GssapiStep::State::failed);
  EXPECT_NE(bare.reason.find("not SPNEGO"), std::string::npos) << bare.reason;
  auto response_first = first_step(spnego_response(ticket_for("imap")));
  EXPECT_EQ(response_first.reason, "the first SPNEGO token is not a NegTokenInit");
  // And GSSAPI takes no SPNEGO token.
  auto wrapped = first_step(spnego_init({krb5_oid}, ticket_for("imap")), GssMechanism::gssapi);
  EXPECT_EQ(wrapped.state, GssapiStep::State::failed);
  EXPECT_NE(wrapped.reason.find("not the Kerberos 5 mechanism"), std::string::npos) << wrapped.reason;
}

TEST_F(GssSpnegoExchange, RefusesNtlm) {
  auto ntlm_only = first_step(spnego_init({ntlm_oid}, std::string("NTLMSSP\0\1\0\0\0", 12)));
  EXPECT_EQ(ntlm_only.reason, "the client offers no Kerberos in SPNEGO (NTLM); only Kerberos is accepted");
  auto ntlm_first = first_step(spnego_init({ntlm_oid, krb5_oid}, std::string("NTLMSSP\0\1\0\0\0", 12)));
  EXPECT_EQ(ntlm_first.reason, "the client sent an NTLM token in SPNEGO; only Kerberos is accepted");
}

TEST_F(GssSpnegoExchange, ChecksTheTicketThatComesInALaterToken) {
  // No optimistic token: SPNEGO answers with its choice, Kerberos, and no NTLM.
  GssapiExchange exchange(acceptor_, GssMechanism::gss_spnego);
  auto offer = exchange.step(base64_encode(spnego_init({ntlm_oid, krb5_oid}, "")));
  ASSERT_EQ(offer.state, GssapiStep::State::challenge) << offer.reason;
  auto reply = base64_decode(offer.challenge);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->front(), '\xa1');  // NegTokenResp
  EXPECT_NE(reply->find(krb5_oid), std::string::npos);
  EXPECT_EQ(reply->find(ntlm_oid), std::string::npos);
  auto refused = exchange.step(base64_encode(spnego_response(ticket_for("pop"))));
  EXPECT_EQ(refused.state, GssapiStep::State::failed);
  EXPECT_EQ(refused.reason.find("the ticket is for pop/"), 0u) << refused.reason;
  EXPECT_EQ(exchange.step("").reason, "the exchange is already over");
  // A second NegTokenInit in one exchange.
  GssapiExchange again(acceptor_, GssMechanism::gss_spnego);
  ASSERT_EQ(again.step(base64_encode(spnego_init({krb5_oid}, ""))).state, GssapiStep::State::challenge);
  EXPECT_EQ(again.step(base64_encode(spnego_init({krb5_oid}, ticket_for("imap")))).reason,
            "a NegTokenInit after the first SPNEGO token");
}

TEST_F(GssSpnegoExchange, RefusesEmptyAndUndecodableResponses) {
  GssapiExchange empty(acceptor_, GssMechanism::gss_spnego);
  EXPECT_EQ(empty.step("").reason, "empty GSS-SPNEGO token");
  GssapiExchange garbage(acceptor_, GssMechanism::gss_spnego);
  EXPECT_EQ(garbage.step("not base64!").reason, "response is not base64");
}

TEST(GssMechanismNames, AsClientsAndLogsSayThem) {
  EXPECT_EQ(parse_gss_mechanism("GSS-SPNEGO"), GssMechanism::gss_spnego);
  EXPECT_EQ(parse_gss_mechanism("gss-spnego"), GssMechanism::gss_spnego);
  EXPECT_EQ(parse_gss_mechanism("GSSAPI"), GssMechanism::gssapi);
  EXPECT_FALSE(parse_gss_mechanism("SPNEGO").has_value());
  EXPECT_FALSE(parse_gss_mechanism("GSS-SPNEGO ").has_value());
  EXPECT_EQ(sasl_name(GssMechanism::gss_spnego), "GSS-SPNEGO");
  EXPECT_EQ(log_name(GssMechanism::gss_spnego), "gss-spnego");
  EXPECT_EQ(log_name(GssMechanism::gssapi), "gssapi");
}

}  // namespace
}  // namespace dirmail::auth
