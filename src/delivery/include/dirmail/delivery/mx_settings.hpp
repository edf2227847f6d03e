#pragma once
// MX resolution from the settings table: delivery.dns_servers, dns_timeout, dns_tries,
// mx_cache_lifetime and address_preference.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/delivery/cached_mx_resolver.hpp"
#include "dirmail/net/dns_query.hpp"

namespace dirmail::delivery {

// The original product asked at most 3 DNS servers.
inline constexpr std::size_t kMaxDnsServers = 3;

// Problems, each naming its setting ("delivery.dns_servers: ..."); empty when fine.
std::vector<std::string> check_mx_settings(const config::Settings& s);

// c-ares options from delivery.dns_*. invalid_argument naming the setting.
Result<net::DnsQueryOptions> dns_query_options(const config::Settings& s);

// What the queue runner holds: DNS (c-ares) behind the MX cache.
Result<std::unique_ptr<CachedMxResolver>> make_mx_resolver(const config::Settings& s);

}  // namespace dirmail::delivery
