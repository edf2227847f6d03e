#pragma once
// MX resolution (RFC 5321 §5.1, RFC 7505): the hosts to try for mail to a domain.
// MxResolver is the interface the queue runner holds; DnsMxResolver asks DNS through a
// net::DnsClient (c-ares), CachedMxResolver (cached_mx_resolver.hpp) keeps answers.
// Blocking: call from a delivery thread.
//
// Errors, for the runner to map to a DSN (Error::temporary() tells retry from bounce):
//   not_found          no such domain (NXDOMAIN), or neither an MX host nor the
//                      domain has an address: permanent (5.1.2 / 5.4.4)
//   permission_denied  null MX: the domain accepts no mail: permanent (556 5.1.10)
//   invalid_argument   not a domain name (an address literal, a non-ASCII name, ...)
//   temporary_failure  DNS trouble (SERVFAIL, timeouts, no server answers): retry
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/delivery/mail_route.hpp"
#include "dirmail/net/dns_query.hpp"

namespace dirmail::delivery {

class MxResolver {
 public:
  virtual ~MxResolver() = default;
  // `domain`: the part after the @ of a recipient, an ASCII (A-label) name.
  virtual Result<MailRoute> resolve(const std::string& domain) = 0;
  // Forget what is known of `domain` (a delivery there failed: the next attempt asks
  // DNS again, so a changed answer is honoured). Resolvers without a cache ignore it.
  virtual void invalidate(const std::string& /*domain*/) {}
};

struct MxResolverOptions {
  AddressPreference addresses = AddressPreference::ipv6_first;
  bool shuffle_equal_preferences = true;  // false: DNS answer order (tests, diagnosis)
  std::size_t max_hosts = 16;             // MX hosts looked up, best first; the rest are dropped
};

class DnsMxResolver final : public MxResolver {
 public:
  DnsMxResolver(std::unique_ptr<net::DnsClient> dns, MxResolverOptions options,
                std::uint32_t seed = std::random_device{}());
  Result<MailRoute> resolve(const std::string& domain) override;

 private:
  std::unique_ptr<net::DnsClient> dns_;
  MxResolverOptions options_;
  std::mutex rng_mutex_;
  std::mt19937 rng_;
};

}  // namespace dirmail::delivery
