#include <algorithm>
#include <limits>

#include "dirmail/base/strings.hpp"
#include "dirmail/delivery/dns_answer.hpp"
#include "dirmail/delivery/mx_resolver.hpp"

namespace dirmail::delivery {
namespace {

constexpr std::uint32_t kNoTtl = std::numeric_limits<std::uint32_t>::max();

// What the MX question said: the exchanges to look up, or the implicit MX.
struct MxStep {
  bool implicit = false;
  std::vector<MxRecord> exchanges;  // by preference, no duplicates
  std::uint32_t ttl = kNoTtl;
};

Result<MxStep> read_mx(const std::string& domain, const net::DnsReply& reply, std::size_t max_hosts) {
  switch (reply.status) {
    case net::DnsStatus::answered: break;
    case net::DnsStatus::no_data: return MxStep{true, {}, kNoTtl};
    case net::DnsStatus::no_such_name: return make_error(ErrorCode::not_found, domain + ": no such domain");
    case net::DnsStatus::bad_name:
      return make_error(ErrorCode::invalid_argument, domain + ": not a valid domain name");
    default:
      return make_error(ErrorCode::temporary_failure,
                        domain + ": MX lookup failed: " + std::string(net::to_string(reply.status)));
  }
  auto answer = read_dns_answer(reply.message, domain, net::DnsType::mx);
  if (!answer)
    return make_error(ErrorCode::temporary_failure, domain + ": MX lookup failed: " + answer.error().message);
  // MX records, none usable (bad names): not a domain without MX.
  if (answer->mx.empty() && answer->ignored > 0)
    return make_error(ErrorCode::not_found, domain + ": no usable MX record");
  // Only a CNAME (to a name without MX): RFC 5321 §5.1 treats the canonical name as the
  // domain, and its address lookup follows the same CNAME.
  if (answer->mx.empty()) return MxStep{true, {}, kNoTtl};

  MxStep step;
  step.ttl = answer->cname_ttl;
  bool null_mx = false;
  for (auto& mx : answer->mx) {
    step.ttl = std::min(step.ttl, mx.ttl);
    if (mx.exchange.empty()) {  // "." : RFC 7505; next to real MX records it is a mistake to ignore
      null_mx = true;
      continue;
    }
    auto same = std::find_if(step.exchanges.begin(), step.exchanges.end(),
                             [&](const MxRecord& e) { return e.exchange == mx.exchange; });
    if (same == step.exchanges.end()) {
      step.exchanges.push_back(std::move(mx));
    } else {
      same->preference = std::min(same->preference, mx.preference);
    }
  }
  if (step.exchanges.empty() && null_mx)
    return make_error(ErrorCode::permission_denied, domain + " does not accept mail (null MX, RFC 7505)");
  if (step.exchanges.empty())
    return make_error(ErrorCode::temporary_failure, domain + ": MX lookup failed: no usable MX record");
  std::stable_sort(step.exchanges.begin(), step.exchanges.end(),
                   [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
  if (step.exchanges.size() > max_hosts) step.exchanges.resize(max_hosts);
  return step;
}

bool wants(AddressPreference p, bool ipv6) {
  if (p == AddressPreference::ipv6_only) return ipv6;
  if (p == AddressPreference::ipv4_only) return !ipv6;
  return true;
}

}  // namespace

DnsMxResolver::DnsMxResolver(std::unique_ptr<net::DnsClient> dns, MxResolverOptions options, std::uint32_t seed)
    : dns_(std::move(dns)), options_(options), rng_(seed) {}

Result<MailRoute> DnsMxResolver::resolve(const std::string& asked) {
  std::string domain = to_lower(asked);
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (!is_usable_host_name(domain))
    return make_error(ErrorCode::invalid_argument, "\"" + asked + "\" is not a domain name");

  auto mx_replies = dns_->ask({net::DnsQuestion{domain, net::DnsType::mx}});
  if (!mx_replies) return std::move(mx_replies).error();
  auto step = read_mx(domain, mx_replies->front(), std::max<std::size_t>(options_.max_hosts, 1));
  if (!step) return std::move(step).error();
  if (step->implicit) step->exchanges = {MxRecord{0, domain, kNoTtl}};

  // A/AAAA of every host at once; AAAA first when IPv6 is preferred.
  const bool v6_first = options_.addresses == AddressPreference::ipv6_first ||
                        options_.addresses == AddressPreference::ipv6_only;
  std::vector<net::DnsQuestion> questions;
  for (const auto& mx : step->exchanges) {
    for (bool v6 : {v6_first, !v6_first}) {
      if (wants(options_.addresses, v6)) questions.push_back({mx.exchange, v6 ? net::DnsType::aaaa : net::DnsType::a});
    }
  }
  auto replies = dns_->ask(questions);
  if (!replies) return std::move(replies).error();

  MailRoute route;
  route.domain = domain;
  route.implicit_mx = step->implicit;
  std::uint32_t ttl = step->ttl;
  bool incomplete = false;
  std::vector<std::string> failures;  // "host: reason", for the error message
  std::size_t q = 0;
  for (const auto& mx : step->exchanges) {
    MailHost host{mx.exchange, mx.preference, {}};
    for (; q < questions.size() && questions[q].name == mx.exchange; ++q) {
      const net::DnsReply& reply = (*replies)[q];
      std::string reason;
      if (reply.status == net::DnsStatus::answered) {
        auto answer = read_dns_answer(reply.message, mx.exchange, questions[q].type);
        if (answer) {
          for (const auto& a : answer->addresses) {
            host.addresses.push_back(a.ip);
            ttl = std::min({ttl, a.ttl, answer->cname_ttl});
          }
          continue;
        }
        reason = answer.error().message;
        incomplete = true;
      } else if (net::is_temporary(reply.status)) {
        reason = std::string(net::to_string(reply.status));
        incomplete = true;
      } else {
        reason = std::string(net::to_string(reply.status));
        if (reply.status == net::DnsStatus::no_data) continue;  // the other family may have one
      }
      if (failures.size() < 3) failures.push_back(mx.exchange + ": " + reason);
    }
    if (!host.addresses.empty()) route.hosts.push_back(std::move(host));
  }

  if (route.hosts.empty()) {
    std::string why;
    for (const auto& f : failures) why += (why.empty() ? " (" : "; ") + f;
    if (!why.empty()) why += ")";
    if (incomplete)
      return make_error(ErrorCode::temporary_failure, domain + ": the address lookup failed" + why);
    return make_error(ErrorCode::not_found, step->implicit ? domain + " has no MX record and no address" + why
                                                           : domain + ": no MX host has an address" + why);
  }
  {
    std::lock_guard lock(rng_mutex_);
    order_mail_hosts(route.hosts, options_.shuffle_equal_preferences ? &rng_ : nullptr);
  }
  route.ttl = incomplete ? std::chrono::seconds(0) : std::chrono::seconds(ttl == kNoTtl ? 0 : ttl);
  return route;
}

}  // namespace dirmail::delivery
