#include "dirmail/delivery/gateway_table.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

// The guide's examples (smtp-server-guide §4.1.1), as one table.
constexpr std::string_view kGuideTable =
    "*.xxxx01.co.jp,mailgateway01.xxxx.co.jp,25\r\n"
    "*.xxxx02.co.jp,mailgateway02.xxxx.co.jp,25\r\n"
    "01*.xxxx.co.jp,mailgateway01.xxxx.co.jp,25\r\n"
    "02*.xxxx.co.jp,mailgateway02.xxxx.co.jp,25\r\n"
    "xxxxxx.co.jp,mailgateway.xxxxxx.co.jp,465*\r\n";

GatewayTable parse(std::string_view text) {
  auto t = parse_gateway_table(text, "gw.txt");
  EXPECT_TRUE(t.ok()) << t.error().message;
  return t.ok() ? *t : GatewayTable{};
}

std::string gateway_for(const GatewayTable& t, std::string_view domain) {
  const GatewayEntry* e = t.find(domain);
  return e == nullptr ? "(none)" : to_string(e->gateway);
}

TEST(GatewayTable, GuideExamplesRouteAsDescribed) {
  auto t = parse(kGuideTable);
  ASSERT_EQ(t.entries().size(), 5u);
  EXPECT_TRUE(t.warnings().empty());
  // Subdomains of xxxx01.co.jp, at any depth, but not the domain itself.
  EXPECT_EQ(gateway_for(t, "tokyo.xxxx01.co.jp"), "mailgateway01.xxxx.co.jp:25");
  EXPECT_EQ(gateway_for(t, "a.b.xxxx01.co.jp"), "mailgateway01.xxxx.co.jp:25");
  EXPECT_EQ(gateway_for(t, "xxxx01.co.jp"), "(none)");
  EXPECT_EQ(gateway_for(t, "osaka.xxxx02.co.jp"), "mailgateway02.xxxx.co.jp:25");
  // A wildcard inside a label.
  EXPECT_EQ(gateway_for(t, "01sales.xxxx.co.jp"), "mailgateway01.xxxx.co.jp:25");
  EXPECT_EQ(gateway_for(t, "01.xxxx.co.jp"), "mailgateway01.xxxx.co.jp:25");
  EXPECT_EQ(gateway_for(t, "02dev.xxxx.co.jp"), "mailgateway02.xxxx.co.jp:25");
  EXPECT_EQ(gateway_for(t, "03dev.xxxx.co.jp"), "(none)");
  EXPECT_EQ(gateway_for(t, "x01.xxxx.co.jp"), "(none)");
  // Port 465 with '*': SSL (implicit TLS).
  const GatewayEntry* ssl = t.find("xxxxxx.co.jp");
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(ssl->gateway.host, "mailgateway.xxxxxx.co.jp");
  EXPECT_EQ(ssl->gateway.port, 465);
  EXPECT_TRUE(ssl->gateway.implicit_tls);
  EXPECT_EQ(ssl->origin, "gw.txt:5");
  EXPECT_FALSE(t.find("tokyo.xxxx01.co.jp")->gateway.implicit_tls);
  EXPECT_EQ(gateway_for(t, "example.com"), "(none)");
}

TEST(GatewayTable, DomainCaseAndTrailingDotDoNotMatter) {
  auto t = parse("*.Example.COM,GW.example.net,25\n");
  EXPECT_EQ(t.entries()[0].pattern, "*.example.com");
  EXPECT_EQ(gateway_for(t, "Mail.EXAMPLE.com."), "gw.example.net:25");
}

TEST(GatewayTable, FirstMatchingLineWins) {
  auto t = parse(
      "sales.example.com,gw-sales.example.net,2525\n"
      "*.example.com,gw.example.net,25\n"
      "*,catchall.example.net,587\n");
  EXPECT_EQ(gateway_for(t, "sales.example.com"), "gw-sales.example.net:2525");
  EXPECT_EQ(gateway_for(t, "hr.example.com"), "gw.example.net:25");
  EXPECT_EQ(gateway_for(t, "example.org"), "catchall.example.net:587");
  EXPECT_TRUE(t.warnings().empty());
}

TEST(GatewayTable, AnEntryHiddenByAnEarlierPatternIsWarnedAbout) {
  auto t = parse(
      "*.example.com,gw.example.net,25\n"
      "sales.example.com,gw-sales.example.net,25\n"
      "*.eu.example.com,gw-eu.example.net,25\n"
      "example.com,apex.example.net,25\n"
      "example.com,again.example.net,25\n");
  ASSERT_EQ(t.warnings().size(), 3u);
  EXPECT_EQ(t.warnings()[0], "gw.txt:2: never used: gw.txt:1 (*.example.com) matches every domain of sales.example.com first");
  EXPECT_TRUE(t.warnings()[1].starts_with("gw.txt:3: never used: gw.txt:1")) << t.warnings()[1];
  EXPECT_TRUE(t.warnings()[2].starts_with("gw.txt:5: never used: gw.txt:4")) << t.warnings()[2];
  // The hidden entry stays in the table; the lookup still takes the first match.
  EXPECT_EQ(gateway_for(t, "sales.example.com"), "gw.example.net:25");
  EXPECT_EQ(gateway_for(t, "example.com"), "apex.example.net:25");
}

TEST(GatewayTable, CommentsBlankLinesAndSpaces) {
  auto t = parse(
      "' the original's comment mark\n"
      " a line starting with a blank is a comment too, even with,commas,25\n"
      "\tand with a tab\n"
      "# and with a hash\n"
      "\n"
      "example.org , 192.0.2.25 , 465* \n");
  ASSERT_EQ(t.entries().size(), 1u);
  EXPECT_EQ(t.entries()[0].origin, "gw.txt:6");
  EXPECT_EQ(gateway_for(t, "example.org"), "192.0.2.25:465*");
}

TEST(GatewayTable, Ipv6GatewaysWithAndWithoutBrackets) {
  auto t = parse("a.example,2001:db8::25,25\nb.example,[2001:DB8::26],465*\n");
  EXPECT_EQ(t.entries()[0].gateway.host, "2001:db8::25");
  EXPECT_EQ(t.entries()[1].gateway.host, "2001:db8::26");
  EXPECT_EQ(gateway_for(t, "b.example"), "[2001:db8::26]:465*");
}

TEST(GatewayTable, Utf8BomIsSkipped) {
  auto t = parse("\xEF\xBB\xBF" "example.org,gw.example.net,25\n");
  EXPECT_EQ(gateway_for(t, "example.org"), "gw.example.net:25");
}

TEST(GatewayTable, BadLinesNameFileAndLine) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"example.org,gw.example.net\n", "gw.txt:1: expected DOMAIN,GATEWAY,PORT[*]"},
      {"ok.example,gw.example.net,25\nexample.org,gw.example.net,25,x\n", "gw.txt:2: expected DOMAIN,GATEWAY,PORT[*]"},
      {"example.org,gw.example.net,0\n", "gw.txt:1: \"0\" is not a port"},
      {"example.org,gw.example.net,65536\n", "gw.txt:1: \"65536\" is not a port"},
      {"example.org,gw.example.net,*\n", "gw.txt:1: \"*\" is not a port"},
      {"example.org,gw.example.net,25**\n", "gw.txt:1: \"25**\" is not a port"},
      {"example.org,,25\n", "gw.txt:1: the gateway host is empty"},
      {"example.org,gw example.net,25\n", "gw.txt:1: \"gw example.net\" is not a host name or an IP address"},
      {"example.org,300.1.2.3,25\n", "gw.txt:1: \"300.1.2.3\" is not an IPv4 address"},
      {"example.org,[192.0.2.1],25\n", "gw.txt:1: \"[192.0.2.1]\" is not an IPv6 address"},
      {"example.org,[::1,25\n", "gw.txt:1: \"[::1\": a bracketed address ends with ]"},
      {",gw.example.net,25\n", "gw.txt:1: the domain is empty"},
      {"a..example,gw.example.net,25\n", "gw.txt:1: \"a..example\" has an empty label"},
      {"example..,gw.example.net,25\n", "gw.txt:1: \"example.\" has an empty label"},
      {"a?.example,gw.example.net,25\n", "gw.txt:1: \"a?.example\" is not a domain"},
      {"bücher.example,gw.example.net,25\n", "A-label (xn--...)"},
      {"\xFF\xFE" "e\0x", "gw.txt:1: the file is UTF-16"},
  };
  for (const auto& c : cases) {
    auto t = parse_gateway_table(c.text, "gw.txt");
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_NE(t.error().message.find(c.error), std::string::npos) << t.error().message;
  }
}

TEST(GatewayTable, SizeLimits) {
  std::string big(kMaxGatewayTableBytes + 1, '\'');
  auto t = parse_gateway_table(big, "gw.txt");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::limit_exceeded);

  std::string long_line = "a.example,gw.example.net,25" + std::string(kMaxGatewayLineBytes, ' ');
  auto l = parse_gateway_table(long_line, "gw.txt");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, ErrorCode::limit_exceeded);

  std::string many;
  for (std::size_t i = 0; i <= kMaxGatewayTableEntries; ++i) many += "d" + std::to_string(i) + ".example,gw,25\n";
  auto m = parse_gateway_table(many, "gw.txt");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::limit_exceeded);
  EXPECT_NE(m.error().message.find("gw.txt:10001: more than 10000 entries"), std::string::npos) << m.error().message;
}

TEST(GatewayTable, ListEntriesNameTheirIndex) {
  auto t = parse_gateway_table_list({"*.example.com,gw.example.net,25", "example.org,gw2.example.net,465*"},
                                    "delivery.gateway_table");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->entries()[1].origin, "delivery.gateway_table[1]");
  auto bad = parse_gateway_table_list({"example.org,gw.example.net,25", "example.net,gw,x"}, "delivery.gateway_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.substr(0, 26), "delivery.gateway_table[1]:");
  auto broken = parse_gateway_table_list({"a.example,gw,25\nb.example,gw,25"}, "delivery.gateway_table");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("must not hold a line break"), std::string::npos);
}

TEST(GatewayHostText, SmartHostForms) {
  struct Case {
    std::string text;
    std::string host;
    int port;
    bool tls;
  };
  const Case cases[] = {
      {"192.168.0.4", "192.168.0.4", 25, false},  // the guide's example
      {"Relay.Example.NET", "relay.example.net", 25, false},
      {"relay.example.net.", "relay.example.net", 25, false},
      {"relay.example.net:587", "relay.example.net", 587, false},
      {"relay.example.net:465*", "relay.example.net", 465, true},
      {"[2001:db8::1]:2525", "2001:db8::1", 2525, false},
      {"[::1]", "::1", 25, false},
      {"2001:db8::1", "2001:db8::1", 25, false},
      {" 192.0.2.1:25 ", "192.0.2.1", 25, false},
  };
  for (const auto& c : cases) {
    auto h = parse_gateway_host(c.text);
    ASSERT_TRUE(h.ok()) << c.text << ": " << h.error().message;
    EXPECT_EQ(h->host, c.host) << c.text;
    EXPECT_EQ(h->port, c.port) << c.text;
    EXPECT_EQ(h->implicit_tls, c.tls) << c.text;
  }
  for (std::string bad : {"", "relay.example.net:", "relay.example.net:0", "relay.example.net*", "[::1]465",
                          "relay example", "1.2.3", "[::1]:99999"}) {
    EXPECT_FALSE(parse_gateway_host(bad).ok()) << bad;
  }
}

TEST(GatewayPattern, StarMatchesAnyRun) {
  EXPECT_TRUE(gateway_pattern_matches("*", "example.com"));
  EXPECT_TRUE(gateway_pattern_matches("*.com", "a.b.com"));
  EXPECT_TRUE(gateway_pattern_matches("a*b*c.example", "aXbYc.example"));
  EXPECT_TRUE(gateway_pattern_matches("a*b*c.example", "abc.example"));
  EXPECT_FALSE(gateway_pattern_matches("a*b*c.example", "acb.example"));
  EXPECT_TRUE(gateway_pattern_matches("*a", "aaaa"));
  EXPECT_FALSE(gateway_pattern_matches("*.com", "com"));
  EXPECT_FALSE(gateway_pattern_matches("example.com", "example.co"));
  EXPECT_FALSE(gateway_pattern_matches("example.co", "example.com"));
}

}  // namespace
}  // namespace dirmail::delivery
