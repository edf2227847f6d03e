#include "dirmail/directory/dc_discovery.hpp"

#include <ares.h>

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "dirmail/net/dns_query.hpp"

namespace dirmail::directory {
namespace {

constexpr std::size_t max_targets = 64;

// The SRV records of one reply; "." targets ("no service here") are left out.
Result<std::vector<SrvTarget>> srv_targets(const net::DnsReply& reply, const std::string& name) {
  struct ares_srv_reply* srv = nullptr;
  int rc = ares_parse_srv_reply(reply.message.data(), static_cast<int>(reply.message.size()), &srv);
  if (rc == ARES_ENODATA) return std::vector<SrvTarget>{};
  if (rc != ARES_SUCCESS) return make_error(ErrorCode::temporary_failure, name + ": " + ares_strerror(rc));
  std::vector<SrvTarget> targets;
  for (auto* r = srv; r != nullptr && targets.size() < max_targets; r = r->next) {
    std::string host = r->host ? r->host : "";
    if (host.empty() || host == ".") continue;
    targets.push_back(SrvTarget{host, r->port, r->priority, r->weight});
  }
  ares_free_data(srv);
  return targets;
}

Result<std::vector<SrvTarget>> query_srv(const DcDiscoveryOptions& options, const std::string& name) {
  net::DnsQueryOptions dns;
  if (!options.dns_server.empty()) {
    auto server = net::parse_dns_server(options.dns_server);
    if (!server)
      return make_error(ErrorCode::invalid_argument,
                        "directory.dns_server \"" + options.dns_server + "\": " + server.error().message);
    dns.servers.push_back(*server);
  }
  dns.timeout = std::chrono::milliseconds(std::max<std::int64_t>(100, options.timeout.count() / 2));
  dns.tries = 2;
  dns.deadline = options.timeout;
  auto replies = net::ask_dns(dns, {net::DnsQuestion{name, net::DnsType::srv}});
  if (!replies) return std::move(replies).error();
  const net::DnsReply& reply = replies->front();
  switch (reply.status) {
    case net::DnsStatus::answered: return srv_targets(reply, name);
    case net::DnsStatus::no_data:
    case net::DnsStatus::no_such_name:
    case net::DnsStatus::bad_name: return std::vector<SrvTarget>{};
    case net::DnsStatus::timed_out:
    case net::DnsStatus::unreachable:
    case net::DnsStatus::server_failure:
      return make_error(ErrorCode::temporary_failure, "DNS did not answer for " + name);
    default:
      return make_error(ErrorCode::temporary_failure, name + ": " + std::string(net::to_string(reply.status)));
  }
}

}  // namespace

namespace {

std::vector<SrvTarget> without_duplicates(std::vector<SrvTarget> targets) {
  std::vector<SrvTarget> out;
  for (auto& t : targets) {
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const SrvTarget& o) { return iequals(o.host, t.host) && o.port == t.port; });
    if (!seen) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::vector<SrvTarget> order_srv_targets(std::vector<SrvTarget> targets) {
  std::stable_sort(targets.begin(), targets.end(), [](const SrvTarget& a, const SrvTarget& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.weight > b.weight;
  });
  return without_duplicates(std::move(targets));
}

Result<std::vector<SrvTarget>> discover_domain_controllers(const DcDiscoveryOptions& options) {
  if (options.realm.empty()) return make_error(ErrorCode::invalid_argument, "directory.realm is not set");
  std::vector<SrvTarget> all;
  if (!options.site.empty()) {
    auto site = query_srv(options, fmt::format("_ldap._tcp.{}._sites.dc._msdcs.{}", options.site, options.realm));
    if (site) all = order_srv_targets(std::move(*site));
  }
  auto domain = query_srv(options, fmt::format("_ldap._tcp.dc._msdcs.{}", options.realm));
  if (!domain && all.empty()) return std::move(domain).error();
  if (domain) {
    for (auto& t : order_srv_targets(std::move(*domain))) all.push_back(std::move(t));
    all = without_duplicates(std::move(all));  // site DCs keep their place in front
  }
  if (all.empty()) return make_error(ErrorCode::not_found, "no _ldap._tcp.dc._msdcs." + options.realm + " SRV record");
  return all;
}

std::vector<std::string> domain_controller_uris(const std::vector<SrvTarget>& targets, bool ldaps) {
  std::vector<std::string> uris;
  for (const auto& t : targets)
    uris.push_back(ldaps ? fmt::format("ldaps://{}", t.host) : fmt::format("ldap://{}:{}", t.host, t.port));
  return uris;
}

}  // namespace dirmail::directory
