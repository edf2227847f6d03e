// Which rule matches: networks (CIDR edges, * octets, IPv6), sender tokens, domains and
// addresses, first-match order, "only", and the guide's documented examples.
#include "relay_test_support.hpp"

namespace dirmail::smtp {
namespace {

using namespace relay_test;

// The first rule matching `client` with a sender of class E, as its line number, 0 for none.
int matching_line(const RelayRules& r, std::string_view client) {
  const RelayRule* hit = r.match(ip(client), sender_of(E));
  if (hit == nullptr) return 0;
  return std::stoi(hit->origin.substr(hit->origin.rfind(':') + 1));
}

bool in(std::string_view network, std::string_view client) { return matching_line(rules(network), client) == 1; }

TEST(RelayClientAddress, ParsesAndNormalises) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("2001:DB8::1")->to_string(), "2001:db8::1");
  // Dual-stack listeners report IPv4 clients as IPv4-mapped IPv6.
  auto mapped = IpAddress::parse("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v4());
  EXPECT_EQ(*mapped, *IpAddress::parse("192.0.2.1"));
  // Asio writes link-local peers with their zone.
  EXPECT_EQ(IpAddress::parse("fe80::1%eth0")->to_string(), "fe80::1");
  for (std::string_view bad : {"", "192.0.2", "192.0.2.256", "192.0.2.01", "1.2.3.4 ", "host.example", "::g", "1.2.3.4/32"})
    EXPECT_FALSE(IpAddress::parse(bad).has_value()) << bad;
}

TEST(RelayNetworks, CidrEdges) {
  // /28: .0 to .15
  EXPECT_TRUE(in("192.168.1.0/28", "192.168.1.0"));
  EXPECT_TRUE(in("192.168.1.0/28", "192.168.1.15"));
  EXPECT_FALSE(in("192.168.1.0/28", "192.168.1.16"));
  EXPECT_FALSE(in("192.168.1.0/28", "192.168.0.255"));
  EXPECT_TRUE(in("192.168.1.16/28", "192.168.1.31"));
  EXPECT_FALSE(in("192.168.1.16/28", "192.168.1.15"));
  // host bits in the base are ignored
  EXPECT_TRUE(in("192.168.1.5/28", "192.168.1.0"));
  EXPECT_FALSE(in("192.168.1.5/28", "192.168.1.16"));
  // /32 and a bare address: exactly one
  EXPECT_TRUE(in("192.168.1.7/32", "192.168.1.7"));
  EXPECT_FALSE(in("192.168.1.7/32", "192.168.1.6"));
  EXPECT_TRUE(in("192.168.1.7", "192.168.1.7"));
  EXPECT_FALSE(in("192.168.1.7", "192.168.1.8"));
  // /0: every IPv4 client, no IPv6 one
  EXPECT_TRUE(in("0.0.0.0/0", "0.0.0.0"));
  EXPECT_TRUE(in("0.0.0.0/0", "255.255.255.255"));
  EXPECT_FALSE(in("0.0.0.0/0", "2001:db8::1"));
  EXPECT_TRUE(in("10.1.2.3/0", "203.0.113.1"));
  // /1 and /31, /25 across a byte
  EXPECT_TRUE(in("128.0.0.0/1", "255.0.0.1"));
  EXPECT_FALSE(in("128.0.0.0/1", "127.255.255.255"));
  EXPECT_TRUE(in("192.168.1.6/31", "192.168.1.7"));
  EXPECT_FALSE(in("192.168.1.6/31", "192.168.1.8"));
  EXPECT_TRUE(in("10.0.0.128/25", "10.0.0.255"));
  EXPECT_FALSE(in("10.0.0.128/25", "10.0.0.127"));
  // the bare address 0.0.0.0 (the guide's "0.0.0.0 only") is no client
  EXPECT_FALSE(in("0.0.0.0", "192.168.1.1"));
}

TEST(RelayNetworks, WildcardOctets) {
  EXPECT_TRUE(in("10.*.*.*", "10.0.0.0"));
  EXPECT_TRUE(in("10.*.*.*", "10.255.255.255"));
  EXPECT_FALSE(in("10.*.*.*", "11.0.0.1"));
  EXPECT_TRUE(in("192.168.*.*", "192.168.200.3"));
  EXPECT_FALSE(in("192.168.*.*", "192.169.0.1"));
  EXPECT_TRUE(in("192.168.1.*", "192.168.1.254"));
  EXPECT_FALSE(in("192.168.1.*", "192.168.2.1"));
  // * anywhere, octet by octet
  EXPECT_TRUE(in("192.*.1.*", "192.5.1.9"));
  EXPECT_FALSE(in("192.*.1.*", "192.5.2.9"));
  EXPECT_TRUE(in("*.168.1.1", "7.168.1.1"));
  // *.*.*.* is every client, IPv6 too (the original's "any address")
  EXPECT_TRUE(in("*.*.*.*", "203.0.113.5"));
  EXPECT_TRUE(in("*.*.*.*", "2001:db8::5"));
  // an IPv4 rule never matches a native IPv6 client
  EXPECT_FALSE(in("10.*.*.*", "2001:db8::a00:1"));
}

TEST(RelayNetworks, Ipv6AndMappedClients) {
  EXPECT_TRUE(in("2001:db8::/32", "2001:db8:ffff::1"));
  EXPECT_FALSE(in("2001:db8::/32", "2001:db9::1"));
  EXPECT_TRUE(in("2001:db8:0:1::/64", "2001:db8:0:1:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(in("2001:db8:0:1::/64", "2001:db8:0:2::"));
  // prefixes either side of the 64-bit middle
  EXPECT_TRUE(in("2001:db8:0:1:8000::/65", "2001:db8:0:1:ffff::1"));
  EXPECT_FALSE(in("2001:db8:0:1:8000::/65", "2001:db8:0:1:7fff::1"));
  EXPECT_TRUE(in("2001:db8:0:2::/63", "2001:db8:0:3::1"));
  EXPECT_FALSE(in("2001:db8:0:2::/63", "2001:db8:0:4::1"));
  EXPECT_TRUE(in("2001:db8::1", "2001:db8::1"));
  EXPECT_TRUE(in("2001:db8::1/128", "2001:db8::1"));
  EXPECT_FALSE(in("2001:db8::1/128", "2001:db8::2"));
  EXPECT_TRUE(in("::/0", "::1"));
  EXPECT_FALSE(in("::/0", "192.0.2.1"));
  EXPECT_FALSE(in("2001:db8::/32", "192.0.2.1"));
  // An IPv4 client on a dual-stack socket matches the IPv4 rules...
  EXPECT_TRUE(in("192.168.1.0/28", "::ffff:192.168.1.3"));
  EXPECT_TRUE(in("192.168.1.*", "::ffff:192.168.1.3"));
  // ...and an IPv4-mapped rule is an IPv4 rule.
  EXPECT_TRUE(in("::ffff:192.168.1.0/124", "192.168.1.15"));
  EXPECT_FALSE(in("::ffff:192.168.1.0/124", "192.168.1.16"));
  EXPECT_TRUE(in("::ffff:192.168.1.9", "192.168.1.9"));
}

TEST(RelayNetworks, UnparsedClientMatchesNoNetwork) {
  const RelayRules r = rules("*.*.*.* false\n0.0.0.0/0 false\n::/0 false");
  EXPECT_EQ(r.match(std::nullopt, sender_of(E)), nullptr);
}

TEST(RelaySenderPatterns, TokensTellTheSenderShapesApart) {
  struct Sender {
    const char* label;
    EnvelopeSender sender;
    const char* tokens;  // which of b(lank) <(>) n(umber) d (nodomain) h(ost) match
  };
  const Sender senders[] = {
      {"MAIL FROM: (nothing)", EnvelopeSender::blank(), "b"},
      {"<>", EnvelopeSender::null_path(), "<"},
      {"user@abc.co.jp", EnvelopeSender::mailbox("user", "abc.co.jp"), ""},
      {"user@[192.0.2.1]", EnvelopeSender::mailbox("user", "[192.0.2.1]"), "n"},
      {"user@[IPv6:2001:db8::1]", EnvelopeSender::mailbox("user", "[IPv6:2001:db8::1]"), "n"},
      {"user@192.0.2.1", EnvelopeSender::mailbox("user", "192.0.2.1"), "n"},
      {"user@12345", EnvelopeSender::mailbox("user", "12345"), "n"},
      {"user (no domain)", EnvelopeSender::mailbox("user", ""), "d"},
      {"user@pc01", EnvelopeSender::mailbox("user", "pc01"), "h"},
      {"user@LocalHost", EnvelopeSender::mailbox("user", "LocalHost"), "h"},
      {"user@1abc.example", EnvelopeSender::mailbox("user", "1abc.example"), ""},
  };
  const std::pair<char, const char*> tokens[] = {
      {'b', "#blank"}, {'<', "#<>"}, {'n', "#number"}, {'d', "#nodomain"}, {'h', "#host"}};
  for (const auto& s : senders) {
    for (const auto& [letter, token] : tokens) {
      const RelayRules r = rules(std::string(token) + " false");
      const bool want = std::string_view(s.tokens).find(letter) != std::string_view::npos;
      EXPECT_EQ(r.match(ip("192.0.2.50"), s.sender) != nullptr, want) << token << " vs " << s.label;
    }
  }
}

TEST(RelaySenderPatterns, DomainsMatchExactlyAndCaseInsensitively) {
  const RelayRules r = rules("abc.co.jp false");
  const auto client = ip("192.0.2.50");
  EXPECT_NE(r.match(client, EnvelopeSender::mailbox("x", "abc.co.jp")), nullptr);
  EXPECT_NE(r.match(client, EnvelopeSender::mailbox("x", "ABC.Co.Jp")), nullptr);
  EXPECT_EQ(r.match(client, EnvelopeSender::mailbox("x", "mail.abc.co.jp")), nullptr);  // no subdomains
  EXPECT_EQ(r.match(client, EnvelopeSender::mailbox("x", "xabc.co.jp")), nullptr);
  EXPECT_EQ(r.match(client, EnvelopeSender::null_path()), nullptr);
  // A domain is never a network: the guide's warning.
  EXPECT_EQ(rules("abc.co.jp").match(client, sender_of(E)), nullptr);
}

TEST(RelaySenderPatterns, AddressesMatchTheWholeSender) {
  const RelayRules r = rules("abc@abc.co.jp false");
  const auto client = ip("192.0.2.50");
  EXPECT_NE(r.match(client, EnvelopeSender::mailbox("abc", "abc.co.jp")), nullptr);
  EXPECT_NE(r.match(client, EnvelopeSender::mailbox("ABC", "Abc.co.jp")), nullptr);  // no dodging by case
  EXPECT_EQ(r.match(client, EnvelopeSender::mailbox("abcd", "abc.co.jp")), nullptr);
  EXPECT_EQ(r.match(client, EnvelopeSender::mailbox("abc", "abc.co.jpx")), nullptr);
  EXPECT_EQ(r.match(client, EnvelopeSender::mailbox("abc@abc.co.jp", "")), nullptr);
}

TEST(RelaySenderPatterns, FromParsedPath) {
  auto null = parse_reverse_path("<>");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(EnvelopeSender::from_path(null->path).form, EnvelopeSender::Form::null_path);
  auto mailbox = parse_reverse_path("<Abc@ABC.co.jp>");
  ASSERT_TRUE(mailbox.ok());
  const EnvelopeSender s = EnvelopeSender::from_path(mailbox->path);
  EXPECT_EQ(s.form, EnvelopeSender::Form::mailbox);
  EXPECT_EQ(s.local, "Abc");
  EXPECT_EQ(s.domain, "abc.co.jp");
  EXPECT_NE(rules("abc@abc.co.jp false").match(ip("192.0.2.50"), s), nullptr);
  auto literal = parse_reverse_path("<a@[192.0.2.1]>");
  ASSERT_TRUE(literal.ok());
  EXPECT_NE(rules("#number false").match(ip("192.0.2.50"), EnvelopeSender::from_path(literal->path)), nullptr);
}

TEST(RelayRuleOrder, FirstMatchingLineWins) {
  const RelayRules narrow_first = rules("192.168.0.5 false\n192.168.0.* true");
  EXPECT_EQ(matching_line(narrow_first, "192.168.0.5"), 1);
  EXPECT_EQ(matching_line(narrow_first, "192.168.0.6"), 2);
  EXPECT_FALSE(narrow_first.decide(query("192.168.0.5", E, E)).accepted());
  EXPECT_TRUE(narrow_first.decide(query("192.168.0.6", E, E)).accepted());
  // The other order: the broad rule hides the narrow one.
  const RelayRules broad_first = rules("192.168.0.* true\n192.168.0.5 false");
  EXPECT_EQ(matching_line(broad_first, "192.168.0.5"), 1);
  EXPECT_TRUE(broad_first.decide(query("192.168.0.5", E, E)).accepted());
}

TEST(RelayRuleOrder, SenderAndNetworkRulesShareOneOrder) {
  // A bounce from the LAN is refused when "#<> false" comes first...
  const RelayRules tokens_first = rules("#<> false\n192.168.0.*");
  const RelayQuery bounce{ip("192.168.0.9"), EnvelopeSender::null_path(), E, A, false};
  EXPECT_EQ(tokens_first.decide(bounce).verdict, RelayVerdict::refused_by_rule);
  // ...and accepted when the LAN rule comes first.
  EXPECT_TRUE(rules("192.168.0.*\n#<> false").decide(bounce).accepted());
}

TEST(RelayRuleOrder, DecidedByNamesTheRule) {
  const RelayRules r = rules("# LAN\n192.168.0.* norelay\n10.*.*.* only");
  const RelayDecision lan = r.decide(query("192.168.0.9", A, E));
  EXPECT_EQ(lan.decided_by(), "effect.dat:2 \"192.168.0.* norelay\"");
  EXPECT_TRUE(lan.rule_matched);
  const RelayDecision other = r.decide(query("203.0.113.9", E, A));
  EXPECT_EQ(other.decided_by(), "\"only\" at effect.dat:3 \"10.*.*.* only\" (no rule names this source)");
  EXPECT_FALSE(other.rule_matched);
  EXPECT_EQ(rules("").decide(query("203.0.113.9", E, A)).decided_by(), "default matrix");
  const RelayDecision none = rules("10.*.*.*").decide(query("203.0.113.9", E, A));
  EXPECT_EQ(none.rule, nullptr);
  EXPECT_EQ(none.decided_by(), "default matrix");
}

TEST(RelayOnly, MatchedSourcesGetTheDefaultMatrixOthersOnlyDeliverInbound) {
  const RelayRules r = rules("192.168.1.0/28 default\n0.0.0.0 only");
  // .0-.15: default conditions, so a local sender may relay
  EXPECT_TRUE(r.decide(query("192.168.1.3", A, E)).accepted());
  EXPECT_TRUE(r.decide(query("192.168.1.3", A, A)).accepted());
  EXPECT_FALSE(r.decide(query("192.168.1.3", E, E)).accepted());
  // everyone else: only external senders to existing local addresses
  EXPECT_FALSE(r.decide(query("192.168.1.16", A, E)).accepted());
  EXPECT_FALSE(r.decide(query("192.168.1.16", A, A)).accepted());
  EXPECT_TRUE(r.decide(query("192.168.1.16", E, A)).accepted());
  EXPECT_TRUE(r.decide(query("2001:db8::1", E, A)).accepted());
  EXPECT_FALSE(r.decide(query("2001:db8::1", A, E)).accepted());
}

TEST(RelayOnly, OnlyWithASenderAddress) {
  const RelayRules r = rules("abc@our.example only");
  const RelayQuery listed{ip("203.0.113.9"), EnvelopeSender::mailbox("abc", "our.example"), A, E, false};
  EXPECT_TRUE(r.decide(listed).accepted());
  EXPECT_FALSE(r.decide(query("203.0.113.9", A, E)).accepted());  // alice@our.example is not listed
  EXPECT_TRUE(r.decide(query("203.0.113.9", E, A)).accepted());
}

// The guide's documented examples (§4.5.1, L805-855), each with a probe showing the
// purpose the guide states.
TEST(RelayDocumentedExamples, DoWhatTheGuideSays) {
  // allow a class A / B / C range: an external sender may relay from inside
  EXPECT_TRUE(rules("10.*.*.*").decide(query("10.20.30.40", E, E)).accepted());
  EXPECT_FALSE(rules("10.*.*.*").decide(query("11.0.0.1", E, E)).accepted());
  EXPECT_TRUE(rules("192.168.*.*").decide(query("192.168.77.1", E, E)).accepted());
  EXPECT_TRUE(rules("192.168.1.*").decide(query("192.168.1.77", E, E)).accepted());
  EXPECT_FALSE(rules("192.168.1.*").decide(query("192.168.2.77", E, E)).accepted());
  // allow 192.168.1.0-192.168.1.15
  EXPECT_TRUE(rules("192.168.1.0/28").decide(query("192.168.1.15", E, E)).accepted());
  EXPECT_FALSE(rules("192.168.1.0/28").decide(query("192.168.1.16", E, E)).accepted());
  // refuse mail from 192.168.1.0-15, even to local users
  EXPECT_FALSE(rules("192.168.1.0/28 false").decide(query("192.168.1.1", E, A)).accepted());
  EXPECT_TRUE(rules("192.168.1.0/28 false").decide(query("192.168.1.16", E, A)).accepted());
  // only .0-.15 may relay (default conditions): see RelayOnly above
  // .0-.15 relay under default conditions; everyone else only delivers inbound
  const RelayRules norelay_rest = rules("192.168.1.0/28 default\n*.*.*.* norelay");
  EXPECT_TRUE(norelay_rest.decide(query("192.168.1.2", A, E)).accepted());
  EXPECT_FALSE(norelay_rest.decide(query("192.168.1.20", A, E)).accepted());
  EXPECT_FALSE(norelay_rest.decide(query("2001:db8::20", A, E)).accepted());  // IPv6 is "everyone else" too
  EXPECT_TRUE(norelay_rest.decide(query("192.168.1.20", E, A)).accepted());
  EXPECT_TRUE(norelay_rest.decide(query("192.168.1.20", A, A)).accepted());
  // accept when the MAIL FROM domain is abc.co.jp (the open-relay risk)
  const RelayQuery from_abc{ip("203.0.113.9"), EnvelopeSender::mailbox("x", "abc.co.jp"), E, E, false};
  EXPECT_TRUE(rules("abc.co.jp").decide(from_abc).accepted());
  // refuse when the MAIL FROM domain is abc.co.jp
  RelayQuery to_local = from_abc;
  to_local.recipient_class = A;
  EXPECT_FALSE(rules("abc.co.jp false").decide(to_local).accepted());
  // accept / refuse / "only" for one envelope sender
  const RelayQuery abc{ip("203.0.113.9"), EnvelopeSender::mailbox("abc", "abc.co.jp"), E, E, false};
  EXPECT_TRUE(rules("abc@abc.co.jp").decide(abc).accepted());
  RelayQuery abc_inbound = abc;
  abc_inbound.recipient_class = A;
  EXPECT_FALSE(rules("abc@abc.co.jp false").decide(abc_inbound).accepted());
  EXPECT_TRUE(rules("abc@abc.co.jp false").decide(to_local).accepted());  // x@abc.co.jp is not abc@
  // the sender-syntax refusals
  const RelayQuery blank{ip("203.0.113.9"), EnvelopeSender::blank(), E, A, false};
  EXPECT_FALSE(rules("#blank false").decide(blank).accepted());
  const RelayQuery bounce{ip("203.0.113.9"), EnvelopeSender::null_path(), E, A, false};
  EXPECT_FALSE(rules("#<> false").decide(bounce).accepted());
  EXPECT_TRUE(rules("#blank false").decide(bounce).accepted());
  const RelayQuery numeric{ip("203.0.113.9"), EnvelopeSender::mailbox("x", "[192.0.2.1]"), E, A, false};
  EXPECT_FALSE(rules("#number false").decide(numeric).accepted());
  const RelayQuery no_domain{ip("203.0.113.9"), EnvelopeSender::mailbox("x", ""), E, A, false};
  EXPECT_FALSE(rules("#nodomain false").decide(no_domain).accepted());
  const RelayQuery host{ip("203.0.113.9"), EnvelopeSender::mailbox("x", "pc01"), E, A, false};
  EXPECT_FALSE(rules("#host false").decide(host).accepted());
  EXPECT_TRUE(rules("#host false").decide(to_local).accepted());
}

}  // namespace
}  // namespace dirmail::smtp
