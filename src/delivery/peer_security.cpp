#include "dirmail/delivery/peer_security.hpp"

namespace dirmail::delivery {

SmtpClientOptions PeerSecurity::client_options(const SmtpClientOptions& base, const RouteDecision& route,
                                               std::string_view host) const {
  SmtpClientOptions o = base;
  const bool gateway = route.kind == RouteDecision::Kind::gateway;
  const TlsMode wanted = tls_policy ? tls_policy->mode_for(route.domain) : base.tls;
  if ((gateway && route.gateway.implicit_tls) || base.tls == TlsMode::implicit) {
    // The port speaks TLS from the first byte, whatever the policy; a domain that
    // requires TLS gets the certificate checked as with STARTTLS.
    o.tls = TlsMode::implicit;
    o.verify_implicit_tls = base.verify_implicit_tls || wanted == TlsMode::required;
  } else {
    o.tls = wanted;
  }
  if (ca) o.tls_context = ca;
  if (credentials) {
    if (const PeerCredentialsEntry* entry = credentials->find(host, gateway))
      o.auth = SmtpClientCredentials{entry->user, entry->password, auth_mechanism};
  }
  return o;
}

std::string describe_tls(const SmtpSessionInfo& session) {
  if (session.tls.empty()) return "none";
  return session.tls + (session.tls_verified ? " verified" : " unverified");
}

}  // namespace dirmail::delivery
