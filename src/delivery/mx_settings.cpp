#include "dirmail/delivery/mx_settings.hpp"

namespace dirmail::delivery {

std::vector<std::string> check_mx_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  if (s.delivery_dns_servers.size() > kMaxDnsServers)
    problems.push_back("delivery.dns_servers: " + std::to_string(s.delivery_dns_servers.size()) +
                       " servers; at most 3 are asked");
  for (const auto& entry : s.delivery_dns_servers) {
    auto server = net::parse_dns_server(entry);
    if (!server) problems.push_back("delivery.dns_servers: " + server.error().message);
  }
  if (auto p = parse_address_preference(s.delivery_address_preference); !p)
    problems.push_back("delivery.address_preference: " + p.error().message);
  return problems;
}

Result<net::DnsQueryOptions> dns_query_options(const config::Settings& s) {
  auto problems = check_mx_settings(s);
  if (!problems.empty()) return make_error(ErrorCode::invalid_argument, problems.front());
  net::DnsQueryOptions o;
  for (const auto& entry : s.delivery_dns_servers) o.servers.push_back(*net::parse_dns_server(entry));
  o.timeout = std::chrono::milliseconds(s.delivery_dns_timeout);
  o.tries = static_cast<int>(s.delivery_dns_tries);
  return o;
}

Result<std::unique_ptr<CachedMxResolver>> make_mx_resolver(const config::Settings& s) {
  auto dns = dns_query_options(s);
  if (!dns) return std::move(dns).error();
  MxResolverOptions options;
  options.addresses = *parse_address_preference(s.delivery_address_preference);
  auto resolver = std::make_unique<DnsMxResolver>(std::make_unique<net::CaresDnsClient>(std::move(*dns)), options);
  return std::make_unique<CachedMxResolver>(std::move(resolver), std::chrono::seconds(s.delivery_mx_cache_lifetime),
                                            options.shuffle_equal_preferences);
}

}  // namespace dirmail::delivery
