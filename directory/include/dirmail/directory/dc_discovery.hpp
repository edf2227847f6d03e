#pragma once
// Domain controllers from DNS, as Windows members find them: SRV records
// _ldap._tcp.SITE._sites.dc._msdcs.REALM (the site's DCs) first, then
// _ldap._tcp.dc._msdcs.REALM, with c-ares. Blocking (bounded by the timeout): call it
// from a worker thread.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

struct SrvTarget {
  std::string host;
  std::uint16_t port = 389;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
};

struct DcDiscoveryOptions {
  std::string realm;       // corp.example.test
  std::string site;        // empty: no site preference
  std::string dns_server;  // "ADDRESS" or "ADDRESS PORT"; empty: the system resolver's
  std::chrono::milliseconds timeout{5000};
};

// RFC 2782 order: lower priority first; within a priority, higher weight first (a
// deterministic stand-in for the weighted draw, so every node prefers the same DC).
// Duplicates (same host and port) keep their first place.
std::vector<SrvTarget> order_srv_targets(std::vector<SrvTarget> targets);

// The DCs of the realm, site-specific ones first. not_found when DNS has none;
// temporary_failure when DNS does not answer.
Result<std::vector<SrvTarget>> discover_domain_controllers(const DcDiscoveryOptions& options);

// LDAP URIs for them: "ldaps://HOST" (port 636) when `ldaps`, else "ldap://HOST:PORT".
std::vector<std::string> domain_controller_uris(const std::vector<SrvTarget>& targets, bool ldaps);

}  // namespace dirmail::directory
