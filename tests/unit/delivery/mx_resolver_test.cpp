#include <gtest/gtest.h>

#include <set>

#include "dirmail/delivery/mx_resolver.hpp"
#include "fake_dns.hpp"

namespace dirmail::delivery {
namespace {

using net::DnsStatus;
using net::DnsType;
using testing::DnsMessageBuilder;
using testing::FakeDns;

struct Fixture {
  FakeDns* dns = nullptr;
  std::unique_ptr<DnsMxResolver> resolver;
};

Fixture make(MxResolverOptions options = {.shuffle_equal_preferences = false}, std::uint32_t seed = 1) {
  auto dns = std::make_unique<FakeDns>();
  Fixture f;
  f.dns = dns.get();
  f.resolver = std::make_unique<DnsMxResolver>(std::move(dns), options, seed);
  return f;
}

void host(FakeDns& dns, const std::string& name, const std::string& v4, const std::string& v6 = "",
          std::uint32_t ttl = 300) {
  if (!v4.empty()) dns.answer(name, DnsType::a, DnsMessageBuilder(name, 1).a(name, v4, ttl));
  else dns.fail(name, DnsType::a, DnsStatus::no_data);
  if (!v6.empty()) dns.answer(name, DnsType::aaaa, DnsMessageBuilder(name, 28).aaaa(name, v6, ttl));
  else dns.fail(name, DnsType::aaaa, DnsStatus::no_data);
}

std::vector<std::string> names(const MailRoute& route) {
  std::vector<std::string> out;
  for (const auto& h : route.hosts) out.push_back(h.name);
  return out;
}

TEST(MxResolver, HostsByPreference) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx,
                DnsMessageBuilder("example.test", 15)
                    .mx("example.test", 20, "mx2.example.test")
                    .mx("example.test", 10, "mx1.example.test")
                    .mx("example.test", 30, "mx3.example.test"));
  host(*f.dns, "mx1.example.test", "127.0.0.1");
  host(*f.dns, "mx2.example.test", "127.0.0.2");
  host(*f.dns, "mx3.example.test", "127.0.0.3");
  auto route = f.resolver->resolve("Example.TEST.");
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_EQ(route->domain, "example.test");
  EXPECT_FALSE(route->implicit_mx);
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mx1.example.test", "mx2.example.test", "mx3.example.test"}));
  EXPECT_EQ(route->hosts[0].preference, 10);
  EXPECT_EQ(route->hosts[0].addresses, (std::vector<std::string>{"127.0.0.1"}));
}

TEST(MxResolver, EqualPreferencesAreShuffledLowerOnesStayFirst) {
  std::set<std::string> seen_first;
  for (std::uint32_t seed = 0; seed < 64; ++seed) {
    auto f = make({.shuffle_equal_preferences = true}, seed);
    f.dns->answer("example.test", DnsType::mx,
                  DnsMessageBuilder("example.test", 15)
                      .mx("example.test", 10, "a.example.test")
                      .mx("example.test", 10, "b.example.test")
                      .mx("example.test", 10, "c.example.test")
                      .mx("example.test", 5, "first.example.test")
                      .mx("example.test", 50, "last.example.test"));
    for (auto n : {"a", "b", "c", "first", "last"}) host(*f.dns, std::string(n) + ".example.test", "127.0.0.1");
    auto route = f.resolver->resolve("example.test");
    ASSERT_TRUE(route.ok());
    ASSERT_EQ(route->hosts.size(), 5u);
    EXPECT_EQ(route->hosts.front().name, "first.example.test");
    EXPECT_EQ(route->hosts.back().name, "last.example.test");
    seen_first.insert(route->hosts[1].name);
  }
  EXPECT_EQ(seen_first, (std::set<std::string>{"a.example.test", "b.example.test", "c.example.test"}));
}

TEST(MxResolver, DuplicateExchangesKeepTheBestPreference) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx,
                DnsMessageBuilder("example.test", 15)
                    .mx("example.test", 20, "mx.example.test")
                    .mx("example.test", 30, "other.example.test")
                    .mx("example.test", 10, "MX.example.test"));
  host(*f.dns, "mx.example.test", "127.0.0.1");
  host(*f.dns, "other.example.test", "127.0.0.2");
  auto route = f.resolver->resolve("example.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mx.example.test", "other.example.test"}));
  EXPECT_EQ(route->hosts[0].preference, 10);
}

TEST(MxResolver, NoMxMeansTheDomainsOwnAddresses) {
  auto f = make();
  f.dns->fail("plain.test", DnsType::mx, DnsStatus::no_data);
  host(*f.dns, "plain.test", "127.0.0.5", "::1");
  auto route = f.resolver->resolve("plain.test");
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_TRUE(route->implicit_mx);
  ASSERT_EQ(route->hosts.size(), 1u);
  EXPECT_EQ(route->hosts[0].name, "plain.test");
  EXPECT_EQ(route->hosts[0].preference, 0);
  EXPECT_EQ(route->hosts[0].addresses, (std::vector<std::string>{"::1", "127.0.0.5"}));
}

TEST(MxResolver, NoMxAndNoAddressIsPermanent) {
  auto f = make();
  f.dns->fail("empty.test", DnsType::mx, DnsStatus::no_data);
  host(*f.dns, "empty.test", "");
  auto route = f.resolver->resolve("empty.test");
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, ErrorCode::not_found);
  EXPECT_FALSE(route.error().temporary());
}

TEST(MxResolver, NullMxMeansNoMail) {
  auto f = make();
  f.dns->answer("nomail.test", DnsType::mx, DnsMessageBuilder("nomail.test", 15).mx("nomail.test", 0, ""));
  auto route = f.resolver->resolve("nomail.test");
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, ErrorCode::permission_denied);
  EXPECT_FALSE(route.error().temporary());
  EXPECT_NE(route.error().message.find("does not accept mail"), std::string::npos) << route.error().message;
  EXPECT_EQ(f.dns->asked.size(), 1u);  // no address lookups
}

TEST(MxResolver, NullMxBesideRealMxIsIgnored) {
  auto f = make();
  f.dns->answer("mixed.test", DnsType::mx,
                DnsMessageBuilder("mixed.test", 15).mx("mixed.test", 0, "").mx("mixed.test", 10, "mx.mixed.test"));
  host(*f.dns, "mx.mixed.test", "127.0.0.1");
  auto route = f.resolver->resolve("mixed.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mx.mixed.test"}));
}

TEST(MxResolver, MxRecordsWithUnusableNamesAreNoImplicitMx) {
  auto f = make();
  f.dns->answer("odd.test", DnsType::mx, DnsMessageBuilder("odd.test", 15).mx("odd.test", 10, "bad name.odd.test"));
  host(*f.dns, "odd.test", "127.0.0.5");
  auto route = f.resolver->resolve("odd.test");
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, ErrorCode::not_found);
}

TEST(MxResolver, NoSuchDomainIsPermanent) {
  auto f = make();
  auto route = f.resolver->resolve("nowhere.test");  // the fake says NXDOMAIN
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, ErrorCode::not_found);
  EXPECT_NE(route.error().message.find("no such domain"), std::string::npos);
}

TEST(MxResolver, DnsTroubleIsTemporary) {
  for (auto status : {DnsStatus::server_failure, DnsStatus::timed_out, DnsStatus::unreachable, DnsStatus::refused}) {
    auto f = make();
    f.dns->fail("example.test", DnsType::mx, status);
    auto route = f.resolver->resolve("example.test");
    ASSERT_FALSE(route.ok());
    EXPECT_EQ(route.error().code, ErrorCode::temporary_failure) << net::to_string(status);
    EXPECT_TRUE(route.error().temporary());
  }
}

TEST(MxResolver, MalformedMxReplyIsTemporary) {
  auto f = make();
  auto bytes = DnsMessageBuilder("example.test", 15).mx("example.test", 10, "mx.example.test").bytes();
  bytes.resize(bytes.size() - 4);  // the record ends past the message
  f.dns->answer_raw("example.test", DnsType::mx, bytes);
  auto route = f.resolver->resolve("example.test");
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, ErrorCode::temporary_failure);
}

TEST(MxResolver, HostsWithoutAddressesAreSkipped) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx,
                DnsMessageBuilder("example.test", 15)
                    .mx("example.test", 10, "gone.example.test")
                    .mx("example.test", 20, "mx.example.test"));
  host(*f.dns, "mx.example.test", "127.0.0.2");  // gone.example.test: NXDOMAIN
  auto route = f.resolver->resolve("example.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mx.example.test"}));
  EXPECT_GT(route->ttl.count(), 0);
}

TEST(MxResolver, NoMxHostWithAnAddressIsPermanent) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx,
                DnsMessageBuilder("example.test", 15).mx("example.test", 10, "gone.example.test"));
  auto route = f.resolver->resolve("example.test");
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().code, ErrorCode::not_found);
  EXPECT_NE(route.error().message.find("gone.example.test"), std::string::npos) << route.error().message;
}

TEST(MxResolver, AnMxHostLookupThatTimesOutMakesTheRouteUnkeepable) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx,
                DnsMessageBuilder("example.test", 15)
                    .mx("example.test", 10, "slow.example.test")
                    .mx("example.test", 20, "mx.example.test"));
  f.dns->fail("slow.example.test", DnsType::a, DnsStatus::timed_out);
  f.dns->fail("slow.example.test", DnsType::aaaa, DnsStatus::timed_out);
  host(*f.dns, "mx.example.test", "127.0.0.2");
  auto route = f.resolver->resolve("example.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mx.example.test"}));
  EXPECT_EQ(route->ttl.count(), 0);  // the better host may be back next time

  auto only_slow = make();
  only_slow.dns->answer("example.test", DnsType::mx,
                        DnsMessageBuilder("example.test", 15).mx("example.test", 10, "slow.example.test"));
  only_slow.dns->fail("slow.example.test", DnsType::a, DnsStatus::timed_out);
  only_slow.dns->fail("slow.example.test", DnsType::aaaa, DnsStatus::timed_out);
  auto failed = only_slow.resolver->resolve("example.test");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::temporary_failure);
}

TEST(MxResolver, AddressPreference) {
  auto setup = [](AddressPreference p) {
    auto f = make({.addresses = p, .shuffle_equal_preferences = false});
    f.dns->fail("example.test", DnsType::mx, DnsStatus::no_data);
    host(*f.dns, "example.test", "127.0.0.5", "::1");
    return f;
  };
  auto v6 = setup(AddressPreference::ipv6_first);
  EXPECT_EQ(v6.resolver->resolve("example.test")->hosts.at(0).addresses, (std::vector<std::string>{"::1", "127.0.0.5"}));
  auto v4 = setup(AddressPreference::ipv4_first);
  EXPECT_EQ(v4.resolver->resolve("example.test")->hosts.at(0).addresses, (std::vector<std::string>{"127.0.0.5", "::1"}));
  auto v4only = setup(AddressPreference::ipv4_only);
  EXPECT_EQ(v4only.resolver->resolve("example.test")->hosts.at(0).addresses, (std::vector<std::string>{"127.0.0.5"}));
  for (const auto& q : v4only.dns->asked) EXPECT_NE(q.type, DnsType::aaaa);
  auto v6only = setup(AddressPreference::ipv6_only);
  EXPECT_EQ(v6only.resolver->resolve("example.test")->hosts.at(0).addresses, (std::vector<std::string>{"::1"}));
}

TEST(MxResolver, Ipv6OnlyHostIsUsedWhenIpv4HasNoRecord) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx, DnsMessageBuilder("example.test", 15).mx("example.test", 10, "v6.example.test"));
  host(*f.dns, "v6.example.test", "", "::1");
  auto route = f.resolver->resolve("example.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->hosts.at(0).addresses, (std::vector<std::string>{"::1"}));
}

TEST(MxResolver, CnamesOnTheWay) {
  auto f = make();
  // The domain is an alias; the mail host's name is an alias too.
  f.dns->answer("alias.test", DnsType::mx,
                DnsMessageBuilder("alias.test", 15)
                    .cname("alias.test", "real.test", 120)
                    .mx("real.test", 10, "mail.real.test", 600));
  f.dns->answer("mail.real.test", DnsType::a,
                DnsMessageBuilder("mail.real.test", 1).cname("mail.real.test", "box.real.test", 900).a("box.real.test", "127.0.0.8", 900));
  f.dns->fail("mail.real.test", DnsType::aaaa, DnsStatus::no_data);
  auto route = f.resolver->resolve("alias.test");
  ASSERT_TRUE(route.ok()) << route.error().message;
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mail.real.test"}));
  EXPECT_EQ(route->hosts[0].addresses, (std::vector<std::string>{"127.0.0.8"}));
  EXPECT_EQ(route->ttl.count(), 120);
}

TEST(MxResolver, TtlIsTheSmallestOfTheRecordsUsed) {
  auto f = make();
  f.dns->answer("example.test", DnsType::mx,
                DnsMessageBuilder("example.test", 15)
                    .mx("example.test", 10, "mx1.example.test", 3600)
                    .mx("example.test", 20, "mx2.example.test", 3600));
  host(*f.dns, "mx1.example.test", "127.0.0.1", "", 7200);
  host(*f.dns, "mx2.example.test", "127.0.0.2", "", 90);
  auto route = f.resolver->resolve("example.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(route->ttl.count(), 90);
}

TEST(MxResolver, TooManyMxHostsAreCut) {
  auto f = make({.shuffle_equal_preferences = false, .max_hosts = 3});
  DnsMessageBuilder b("big.test", 15);
  for (int i = 10; i > 0; --i) {
    std::string name = "mx" + std::to_string(i) + ".big.test";
    b.mx("big.test", static_cast<std::uint16_t>(i), name);
    host(*f.dns, name, "127.0.0." + std::to_string(i));
  }
  f.dns->answer("big.test", DnsType::mx, b);
  auto route = f.resolver->resolve("big.test");
  ASSERT_TRUE(route.ok());
  EXPECT_EQ(names(*route), (std::vector<std::string>{"mx1.big.test", "mx2.big.test", "mx3.big.test"}));
}

TEST(MxResolver, NotADomainName) {
  auto f = make();
  for (std::string bad : {"", "[192.0.2.1]", "bad domain.test", "bücher.test"}) {
    auto route = f.resolver->resolve(bad);
    ASSERT_FALSE(route.ok()) << bad;
    EXPECT_EQ(route.error().code, ErrorCode::invalid_argument) << bad;
  }
  EXPECT_TRUE(f.dns->asked.empty());
}

}  // namespace
}  // namespace dirmail::delivery
