#pragma once
// Security to peers from the settings table: delivery.tls, delivery.tls_policy_file /
// delivery.tls_policy, delivery.tls_ca_file, delivery.auth_credentials_file and
// delivery.auth_mechanism.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/delivery/peer_credentials.hpp"
#include "dirmail/delivery/peer_security.hpp"
#include "dirmail/delivery/tls_policy.hpp"

namespace dirmail::delivery {

// Problems, each naming its setting or "FILE:LINE"; empty when fine. Reads the
// policy file, the CA file and the credentials file.
std::vector<std::string> check_peer_settings(const config::Settings& s);

// delivery.tls_policy_file or delivery.tls_policy, with delivery.tls for the rest.
Result<std::shared_ptr<const TlsPolicy>> tls_policy(const config::Settings& s);

// delivery.auth_credentials_file (only its owner may read it); null when not set.
Result<std::shared_ptr<const PeerCredentials>> peer_credentials(const config::Settings& s);

// Everything above and the CA set (delivery.tls_ca_file, else the system's), loaded
// once: the remote delivery holds the result.
Result<PeerSecurity> make_peer_security(const config::Settings& s);

}  // namespace dirmail::delivery
