#pragma once
// Security towards the peers of remote delivery, for each connection attempt: the TLS
// mode the recipient domain's policy asks for (tls_policy.hpp), implicit TLS to a
// gateway whose port is written "PORT*" (verified when the domain requires TLS), the
// CA set that required TLS verifies against, and the AUTH credentials for the host
// (peer_credentials.hpp). Built from the settings at start and reload
// (peer_settings.hpp); a default PeerSecurity changes nothing.
#include <memory>
#include <string>
#include <string_view>

#include "dirmail/delivery/peer_credentials.hpp"
#include "dirmail/delivery/route_policy.hpp"
#include "dirmail/delivery/smtp_client.hpp"
#include "dirmail/delivery/tls_policy.hpp"

namespace dirmail::delivery {

struct PeerSecurity {
  std::shared_ptr<const TlsPolicy> tls_policy;          // null: the base options' mode
  std::shared_ptr<const net::TlsClientContext> ca;      // null: the base options' CA set
  std::shared_ptr<const PeerCredentials> credentials;   // null: no AUTH
  std::string auth_mechanism;  // "PLAIN" or "LOGIN"; empty: PLAIN when offered, else LOGIN

  // The client options for one attempt on `route` (its domain is the recipients') to
  // `host`: the gateway's host, or the name of an MX host. `*` credentials apply to
  // gateways only.
  SmtpClientOptions client_options(const SmtpClientOptions& base, const RouteDecision& route,
                                   std::string_view host) const;
};

// How a session was protected, for the delivery log: "TLSv1.3 TLS_AES_256_GCM_SHA384
// verified" (the certificate chains to the CA set; with required TLS it also names the
// host, or the session would have failed), "... unverified" or "none".
std::string describe_tls(const SmtpSessionInfo& session);

}  // namespace dirmail::delivery
