#include "dirmail/delivery/tls_policy.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

TlsPolicy parse(std::string_view text, TlsMode fallback = TlsMode::opportunistic) {
  auto p = parse_tls_policy(text, "tls.txt", fallback);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? *p : TlsPolicy{};
}

TEST(TlsPolicy, FirstMatchWinsAndTheRestUseTheFallback) {
  auto p = parse(
      "# partners that must get TLS\n"
      "partner.example required\n"
      "legacy.branch.example,off\n"
      "*.branch.example\topportunistic\n"
      "  ' an old-style comment\n"
      "\n"
      "*.partner.example , REQUIRED\n",
      TlsMode::off);
  ASSERT_EQ(p.entries().size(), 4u);
  EXPECT_EQ(p.mode_for("partner.example"), TlsMode::required);
  EXPECT_EQ(p.mode_for("Partner.Example."), TlsMode::required);
  EXPECT_EQ(p.mode_for("mx.partner.example"), TlsMode::required);
  // The exact entry comes before the wildcard that would also match.
  EXPECT_EQ(p.mode_for("legacy.branch.example"), TlsMode::off);
  EXPECT_EQ(p.mode_for("tokyo.branch.example"), TlsMode::opportunistic);
  // "*.branch.example" does not match the domain itself: the fallback applies.
  EXPECT_EQ(p.mode_for("branch.example"), TlsMode::off);
  EXPECT_EQ(p.mode_for("elsewhere.example"), TlsMode::off);
  EXPECT_EQ(p.find("tokyo.branch.example")->origin, "tls.txt:4");
  EXPECT_EQ(p.find("elsewhere.example"), nullptr);
}

TEST(TlsPolicy, StarAloneIsEveryDomain) {
  auto p = parse("partner.example off\n*,required\n");
  EXPECT_EQ(p.mode_for("partner.example"), TlsMode::off);
  EXPECT_EQ(p.mode_for("anything.example"), TlsMode::required);
  EXPECT_EQ(p.mode_for("localhost"), TlsMode::required);
}

TEST(TlsPolicy, WindowsFileAndDefaults) {
  auto p = parse("\xEF\xBB\xBFpartner.example required\r\n", TlsMode::opportunistic);
  EXPECT_EQ(p.mode_for("partner.example"), TlsMode::required);
  EXPECT_EQ(p.mode_for("other.example"), TlsMode::opportunistic);
  TlsPolicy none;
  EXPECT_EQ(none.mode_for("any.example"), TlsMode::opportunistic);
}

TEST(TlsPolicy, ErrorsNameTheLine) {
  struct Case {
    std::string_view text;
    std::string_view error;
  };
  const Case cases[] = {
      {"partner.example\n", "tls.txt:1: expected DOMAIN MODE"},
      {"# c\npartner.example required now\n", "tls.txt:2: expected DOMAIN MODE"},
      {"partner.example implicit\n", "tls.txt:1: \"implicit\" is not a TLS mode (off, opportunistic or required)"},
      {"partner.example yes\n", "tls.txt:1: \"yes\" is not a TLS mode"},
      {"a..example required\n", "tls.txt:1: \"a..example\" has an empty label"},
      {"a?.example required\n", "tls.txt:1: \"a?.example\" is not a domain"},
      {"bücher.example required\n", "tls.txt:1: \"bücher.example\": write an international domain as its A-label"},
      {"ok.example off\nbad.example on\x01\n", "tls.txt:2: \"on\\x01\" is not a TLS mode"},
      {"\xFF\xFE" "a\0", "tls.txt:1: the file is UTF-16"},
  };
  for (const auto& c : cases) {
    auto p = parse_tls_policy(c.text, "tls.txt", TlsMode::opportunistic);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.error().code, ErrorCode::invalid_argument);
    EXPECT_TRUE(p.error().message.starts_with(c.error)) << p.error().message;
  }
}

TEST(TlsPolicy, ListEntriesNameTheirIndex) {
  auto p = parse_tls_policy_list({"partner.example required", "*.example off"}, "delivery.tls_policy",
                                 TlsMode::opportunistic);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->find("a.example")->origin, "delivery.tls_policy[1]");
  auto bad = parse_tls_policy_list({"partner.example required", "x.example sometimes"}, "delivery.tls_policy",
                                   TlsMode::opportunistic);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().message.starts_with("delivery.tls_policy[1]: \"sometimes\" is not a TLS mode"))
      << bad.error().message;
  auto two_lines = parse_tls_policy_list({"a.example off\nb.example off"}, "delivery.tls_policy", TlsMode::off);
  ASSERT_FALSE(two_lines.ok());
  EXPECT_TRUE(two_lines.error().message.starts_with("delivery.tls_policy[0]: ")) << two_lines.error().message;
}

TEST(TlsPolicy, SizeLimits) {
  std::string big(kMaxTlsPolicyBytes + 1, '#');
  auto b = parse_tls_policy(big, "tls.txt", TlsMode::off);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::limit_exceeded);

  std::string long_line = "a.example required" + std::string(kMaxTlsPolicyLineBytes, ' ');
  auto l = parse_tls_policy(long_line, "tls.txt", TlsMode::off);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, ErrorCode::limit_exceeded);
  EXPECT_TRUE(l.error().message.starts_with("tls.txt:1: the line is longer than")) << l.error().message;

  std::string many;
  for (std::size_t i = 0; i <= kMaxTlsPolicyEntries; ++i) many += "d" + std::to_string(i) + ".example off\n";
  auto m = parse_tls_policy(many, "tls.txt", TlsMode::off);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(m.error().message, "tls.txt:10001: more than 10000 entries");
}

TEST(TlsPolicy, ModeNames) {
  EXPECT_EQ(parse_tls_policy_mode("Required"), TlsMode::required);
  EXPECT_EQ(parse_tls_policy_mode("off"), TlsMode::off);
  EXPECT_EQ(parse_tls_policy_mode("opportunistic"), TlsMode::opportunistic);
  EXPECT_FALSE(parse_tls_policy_mode("implicit"));
  EXPECT_FALSE(parse_tls_policy_mode(""));
  EXPECT_EQ(to_string(TlsMode::implicit), "implicit");
}

}  // namespace
}  // namespace dirmail::delivery
