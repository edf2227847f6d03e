#include "dirmail/delivery/peer_settings.hpp"

#include "dirmail/base/private_file.hpp"
#include "dirmail/config/table_source.hpp"
#include "dirmail/net/tls_client_context.hpp"

namespace dirmail::delivery {
namespace {

Result<std::shared_ptr<const net::TlsClientContext>> ca_set(const config::Settings& s) {
  auto ca = net::TlsClientContext::load({s.delivery_tls_ca_file, "", "1.2"});
  if (!ca) return make_error(ca.error().code, "delivery.tls_ca_file: " + ca.error().message);
  return std::move(*ca);
}

// The loader has checked the value against the table's allowed values.
std::string auth_mechanism(const config::Settings& s) {
  if (s.delivery_auth_mechanism == "plain") return "PLAIN";
  if (s.delivery_auth_mechanism == "login") return "LOGIN";
  return "";
}

}  // namespace

Result<std::shared_ptr<const TlsPolicy>> tls_policy(const config::Settings& s) {
  const TlsMode fallback = parse_tls_policy_mode(s.delivery_tls).value_or(TlsMode::opportunistic);
  auto source = config::table_source("delivery.tls_policy_file", s.delivery_tls_policy_file, "delivery.tls_policy",
                                     s.delivery_tls_policy, kMaxTlsPolicyBytes + 1);
  if (!source) return std::move(source).error();
  if (!*source) return std::make_shared<const TlsPolicy>(std::vector<TlsPolicyEntry>{}, fallback);
  auto policy = (*source)->from_file ? parse_tls_policy((*source)->text, (*source)->name, fallback)
                                     : parse_tls_policy_list(*(*source)->lines, (*source)->name, fallback);
  if (!policy) return std::move(policy).error();
  return std::make_shared<const TlsPolicy>(std::move(*policy));
}

Result<std::shared_ptr<const PeerCredentials>> peer_credentials(const config::Settings& s) {
  if (s.delivery_auth_credentials_file.empty()) return std::shared_ptr<const PeerCredentials>();
  auto text = posix::read_private_file(s.delivery_auth_credentials_file, kMaxPeerCredentialsBytes);
  if (!text) return make_error(text.error().code, "delivery.auth_credentials_file: " + text.error().message);
  auto credentials = parse_peer_credentials(*text, s.delivery_auth_credentials_file);
  if (!credentials) return std::move(credentials).error();
  return std::make_shared<const PeerCredentials>(std::move(*credentials));
}

Result<PeerSecurity> make_peer_security(const config::Settings& s) {
  PeerSecurity p;
  auto policy = tls_policy(s);
  if (!policy) return std::move(policy).error();
  p.tls_policy = std::move(*policy);
  auto ca = ca_set(s);
  if (!ca) return std::move(ca).error();
  p.ca = std::move(*ca);
  auto credentials = peer_credentials(s);
  if (!credentials) return std::move(credentials).error();
  p.credentials = std::move(*credentials);
  p.auth_mechanism = auth_mechanism(s);
  return p;
}

std::vector<std::string> check_peer_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  // Each setting on its own, so that one run names every problem.
  if (auto p = tls_policy(s); !p) problems.push_back(p.error().message);
  if (auto ca = ca_set(s); !ca) problems.push_back(ca.error().message);
  if (auto c = peer_credentials(s); !c) problems.push_back(c.error().message);
  return problems;
}

}  // namespace dirmail::delivery
