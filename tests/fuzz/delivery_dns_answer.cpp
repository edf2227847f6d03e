// Fuzzes what delivery makes of DNS replies: delivery::read_dns_answer on one reply,
// then DnsMxResolver with every question answered by that same reply (the MX step, the
// address step, CNAME chains, null MX), checking the limits and the route's shape.
#include <arpa/inet.h>

#include <algorithm>
#include <span>

#include "dirmail/delivery/dns_answer.hpp"
#include "dirmail/delivery/mx_resolver.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

class ReplayDns final : public net::DnsClient {
 public:
  explicit ReplayDns(std::vector<unsigned char> message) : message_(std::move(message)) {}
  Result<std::vector<net::DnsReply>> ask(const std::vector<net::DnsQuestion>& questions) override {
    FUZZ_CHECK(questions.size() <= 2 * 4);
    return std::vector<net::DnsReply>(questions.size(), net::DnsReply{net::DnsStatus::answered, message_});
  }

 private:
  std::vector<unsigned char> message_;
};

bool is_ip(const std::string& ip, bool v6) {
  unsigned char buf[16];
  return inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), buf) == 1;
}

void check_answer(std::span<const unsigned char> message, net::DnsType type) {
  auto answer = delivery::read_dns_answer(message, "example.test", type);
  if (!answer) {
    FUZZ_CHECK(answer.error().code == ErrorCode::protocol_error);
    return;
  }
  FUZZ_CHECK(answer->mx.size() + answer->addresses.size() <= delivery::kMaxAnswerRecords);
  for (const auto& mx : answer->mx) {
    FUZZ_CHECK(type == net::DnsType::mx);
    FUZZ_CHECK(mx.exchange.empty() || delivery::is_usable_host_name(mx.exchange));
    FUZZ_CHECK(std::none_of(mx.exchange.begin(), mx.exchange.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    FUZZ_CHECK(mx.ttl <= 0x7fffffffu);
  }
  for (const auto& a : answer->addresses) {
    FUZZ_CHECK(a.ipv6 == (type == net::DnsType::aaaa));
    FUZZ_CHECK(is_ip(a.ip, a.ipv6));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::span<const unsigned char> message(data + 1, size - 1);
  const net::DnsType types[] = {net::DnsType::mx, net::DnsType::a, net::DnsType::aaaa};
  for (auto type : types) check_answer(message, type);

  delivery::MxResolverOptions options;
  options.addresses = static_cast<delivery::AddressPreference>(control % 4);
  options.shuffle_equal_preferences = (control & 4) != 0;
  options.max_hosts = 4;
  delivery::DnsMxResolver resolver(std::make_unique<ReplayDns>(std::vector<unsigned char>(message.begin(), message.end())),
                                   options, control);
  auto route = resolver.resolve("example.test");
  if (!route) {
    const auto code = route.error().code;
    FUZZ_CHECK(code == ErrorCode::not_found || code == ErrorCode::permission_denied ||
               code == ErrorCode::temporary_failure);
    return 0;
  }
  FUZZ_CHECK(route->domain == "example.test");
  FUZZ_CHECK(!route->hosts.empty() && route->hosts.size() <= options.max_hosts);
  for (std::size_t i = 0; i < route->hosts.size(); ++i) {
    const auto& h = route->hosts[i];
    FUZZ_CHECK(delivery::is_usable_host_name(h.name));
    FUZZ_CHECK(!h.addresses.empty());
    if (i > 0) FUZZ_CHECK(route->hosts[i - 1].preference <= h.preference);
    for (const auto& ip : h.addresses) {
      const bool v6 = ip.find(':') != std::string::npos;
      FUZZ_CHECK(is_ip(ip, v6));
      if (options.addresses == delivery::AddressPreference::ipv4_only) FUZZ_CHECK(!v6);
      if (options.addresses == delivery::AddressPreference::ipv6_only) FUZZ_CHECK(v6);
    }
  }
  if (route->implicit_mx) FUZZ_CHECK(route->hosts.size() == 1 && route->hosts[0].name == "example.test");
  return 0;
}
