#include "dirmail/delivery/peer_security.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

RouteDecision mx_route(std::string domain) {
  RouteDecision d;
  d.kind = RouteDecision::Kind::mx;
  d.domain = std::move(domain);
  return d;
}

RouteDecision gateway_route(std::string domain, GatewayHost gateway) {
  RouteDecision d;
  d.kind = RouteDecision::Kind::gateway;
  d.domain = std::move(domain);
  d.gateway = std::move(gateway);
  return d;
}

PeerSecurity security(std::string_view policy, TlsMode fallback, std::string_view credentials = "") {
  PeerSecurity p;
  auto t = parse_tls_policy(policy, "tls.txt", fallback);
  EXPECT_TRUE(t.ok()) << t.error().message;
  if (t) p.tls_policy = std::make_shared<const TlsPolicy>(*t);
  if (!credentials.empty()) {
    auto c = parse_peer_credentials(credentials, "auth.txt");
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (c) p.credentials = std::make_shared<const PeerCredentials>(*c);
  }
  return p;
}

SmtpClientOptions base() {
  SmtpClientOptions o;
  o.helo_name = "mail.example.test";
  o.tls = TlsMode::opportunistic;
  return o;
}

TEST(PeerSecurity, DefaultChangesNothing) {
  PeerSecurity none;
  auto o = none.client_options(base(), mx_route("example.org"), "mx.example.org");
  EXPECT_EQ(o.tls, TlsMode::opportunistic);
  EXPECT_FALSE(o.verify_implicit_tls);
  EXPECT_FALSE(o.auth);
  EXPECT_EQ(o.tls_context, nullptr);
  EXPECT_EQ(o.helo_name, "mail.example.test");
}

TEST(PeerSecurity, TlsModeFollowsTheRecipientDomain) {
  auto p = security("partner.example required\nlegacy.example off\n", TlsMode::opportunistic);
  EXPECT_EQ(p.client_options(base(), mx_route("partner.example"), "mx.partner.example").tls, TlsMode::required);
  EXPECT_EQ(p.client_options(base(), mx_route("legacy.example"), "mx.legacy.example").tls, TlsMode::off);
  EXPECT_EQ(p.client_options(base(), mx_route("other.example"), "mx.other.example").tls, TlsMode::opportunistic);
  // Through a gateway, the domain's policy still decides (STARTTLS to the gateway).
  auto gw = gateway_route("partner.example", {"gw.example.net", 25, false});
  EXPECT_EQ(p.client_options(base(), gw, "gw.example.net").tls, TlsMode::required);
  auto required_everywhere = security("", TlsMode::required);
  EXPECT_EQ(required_everywhere.client_options(base(), mx_route("a.example"), "mx.a.example").tls, TlsMode::required);
}

TEST(PeerSecurity, ImplicitTlsGatewayIsVerifiedWhenTheDomainRequiresTls) {
  auto p = security("partner.example required\nlegacy.example off\n", TlsMode::opportunistic);
  const GatewayHost ssl{"gw.example.net", 465, true};
  auto required = p.client_options(base(), gateway_route("partner.example", ssl), "gw.example.net");
  EXPECT_EQ(required.tls, TlsMode::implicit);
  EXPECT_TRUE(required.verify_implicit_tls);
  auto opportunistic = p.client_options(base(), gateway_route("other.example", ssl), "gw.example.net");
  EXPECT_EQ(opportunistic.tls, TlsMode::implicit);
  EXPECT_FALSE(opportunistic.verify_implicit_tls);
  // "465*" speaks TLS from the first byte: "off" cannot make it plaintext.
  auto off = p.client_options(base(), gateway_route("legacy.example", ssl), "gw.example.net");
  EXPECT_EQ(off.tls, TlsMode::implicit);
  EXPECT_FALSE(off.verify_implicit_tls);
}

TEST(PeerSecurity, CredentialsGoToGatewaysAndNamedMxHostsOnly) {
  auto p = security("", TlsMode::opportunistic,
                    "*  relay  any-gateway\nmx1.partner.example  mxuser  mxpass\n");
  p.auth_mechanism = "LOGIN";
  auto gw = p.client_options(base(), gateway_route("example.org", {"gw.example.net", 587, false}), "gw.example.net");
  ASSERT_TRUE(gw.auth);
  EXPECT_EQ(gw.auth->user, "relay");
  EXPECT_EQ(gw.auth->password, "any-gateway");
  EXPECT_EQ(gw.auth->mechanism, "LOGIN");
  EXPECT_FALSE(gw.auth_without_tls);
  // An MX host from DNS: `*` does not cover it.
  EXPECT_FALSE(p.client_options(base(), mx_route("example.org"), "mx.example.org").auth);
  auto named = p.client_options(base(), mx_route("partner.example"), "mx1.partner.example");
  ASSERT_TRUE(named.auth);
  EXPECT_EQ(named.auth->user, "mxuser");
}

}  // namespace
}  // namespace dirmail::delivery
