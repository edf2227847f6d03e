// effect.dat syntax: what is accepted, what is refused with which NAME:LINE message,
// the limits, and the warnings given at load.
#include <algorithm>

#include "relay_test_support.hpp"

namespace dirmail::smtp {
namespace {

using namespace relay_test;
using Kind = RelayPattern::Kind;

bool has_warning(const RelayRules& r, std::string_view part) {
  return std::any_of(r.warnings().begin(), r.warnings().end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

TEST(RelayRulesParse, EveryDocumentedLineParses) {
  struct Line {
    std::string_view text;
    Kind kind;
    RelayAction action;
  };
  const Line lines[] = {
      {"10.*.*.*", Kind::network, RelayAction::allow},
      {"192.168.*.*", Kind::network, RelayAction::allow},
      {"192.168.1.*", Kind::network, RelayAction::allow},
      {"192.168.1.0/28", Kind::network, RelayAction::allow},
      {"192.168.1.0/28 false", Kind::network, RelayAction::deny},
      {"192.168.1.0/28 default", Kind::network, RelayAction::default_matrix},
      {"0.0.0.0 only", Kind::network, RelayAction::only},
      {"*.*.*.* norelay", Kind::network, RelayAction::norelay},
      {"abc.co.jp", Kind::sender_domain, RelayAction::allow},
      {"abc.co.jp false", Kind::sender_domain, RelayAction::deny},
      {"abc@abc.co.jp", Kind::sender_address, RelayAction::allow},
      {"abc@abc.co.jp false", Kind::sender_address, RelayAction::deny},
      {"abc@abc.co.jp only", Kind::sender_address, RelayAction::only},
      {"#blank false", Kind::blank_sender, RelayAction::deny},
      {"#<> false", Kind::null_sender, RelayAction::deny},
      {"#number false", Kind::numeric_domain, RelayAction::deny},
      {"#nodomain false", Kind::no_domain, RelayAction::deny},
      {"#host false", Kind::host_domain, RelayAction::deny},
      {"192.168.0.* true", Kind::network, RelayAction::allow},
      {"192.168.0.* norelay,0", Kind::network, RelayAction::norelay_refuse_auth},
      {"192.168.0.* norelay,2", Kind::network, RelayAction::norelay_ip_over_auth},
      {"2001:db8::/32 norelay", Kind::network, RelayAction::norelay},
      {"2001:db8::1", Kind::network, RelayAction::allow},
  };
  for (const auto& l : lines) {
    auto r = parse_relay_rules(l.text, "effect.dat");
    ASSERT_TRUE(r.ok()) << l.text << ": " << r.error().message;
    ASSERT_EQ(r->rules().size(), 1u) << l.text;
    const RelayRule& rule = r->rules()[0];
    EXPECT_EQ(rule.pattern.kind, l.kind) << l.text;
    EXPECT_EQ(rule.action, l.action) << l.text;
    EXPECT_EQ(rule.origin, "effect.dat:1");
    EXPECT_EQ(rule.text, l.text);
  }
}

TEST(RelayRulesParse, DomainsAndAddressesAreStoredInLowerCase) {
  const RelayRules r = rules("ABC.co.JP\nAbc@ABC.co.jp");
  EXPECT_EQ(r.rules()[0].pattern.value, "abc.co.jp");
  EXPECT_EQ(r.rules()[1].pattern.value, "abc@abc.co.jp");
}

TEST(RelayRulesParse, ActionsAndTokensAreCaseInsensitive) {
  const RelayRules r = rules("10.*.*.* FALSE\n#Blank NoRelay,0\n#NUMBER Default");
  EXPECT_EQ(r.rules()[0].action, RelayAction::deny);
  EXPECT_EQ(r.rules()[1].pattern.kind, Kind::blank_sender);
  EXPECT_EQ(r.rules()[1].action, RelayAction::norelay_refuse_auth);
  EXPECT_EQ(r.rules()[2].action, RelayAction::default_matrix);
}

TEST(RelayRulesParse, EmptyFileIsTheDefaultMatrix) {
  EXPECT_TRUE(rules("").empty());
  EXPECT_TRUE(rules("\n\r\n\n").empty());
  EXPECT_EQ(rules("").only_rule(), nullptr);
}

TEST(RelayRulesParse, WindowsFilesLoad) {
  // CRLF (Notepad), a UTF-8 BOM, mixed endings, no final newline.
  const RelayRules r = rules("\xEF\xBB\xBF" "10.*.*.*\r\n192.168.1.0/28 false\r\n\r\n#<> false\nabc.co.jp false");
  ASSERT_EQ(r.rules().size(), 4u);
  EXPECT_EQ(r.rules()[1].text, "192.168.1.0/28 false");
  EXPECT_EQ(r.rules()[2].origin, "effect.dat:4");  // blank lines count
  EXPECT_EQ(r.rules()[3].origin, "effect.dat:5");
  EXPECT_NE(parse_error(std::string_view("\xFF\xFE" "1\0.\0", 6)).find("effect.dat:1: the file is UTF-16"),
            std::string::npos);
}

TEST(RelayRulesParse, SpacingIsExactlyOneHalfWidthSpace) {
  EXPECT_EQ(parse_error("10.*.*.*\n10.*.*.*\tfalse"),
            "effect.dat:2: TAB is not allowed: separate pattern and action with exactly one space");
  EXPECT_EQ(parse_error("10.*.*.*  false"),
            "effect.dat:1: more than one space: exactly one space separates pattern and action");
  EXPECT_EQ(parse_error("10.*.*.* false x"),
            "effect.dat:1: more than one space: exactly one space separates pattern and action");
  EXPECT_EQ(parse_error(" 10.*.*.*"), "effect.dat:1: the line starts with a space");
  EXPECT_EQ(parse_error("10.*.*.* "), "effect.dat:1: trailing space at the end of the line");
  EXPECT_EQ(parse_error("10.*.*.*\xE3\x80\x80" "false"),
            "effect.dat:1: full-width space (全角スペース): use one half-width space");
  EXPECT_EQ(parse_error("10.*.*.*\x81\x40" "false"),
            "effect.dat:1: full-width space (全角スペース): use one half-width space");
  EXPECT_EQ(parse_error("   "), "effect.dat:1: the line starts with a space");
  // Rules are ASCII; a Shift_JIS or UTF-8 byte is a mistake (found by the fuzzer).
  EXPECT_EQ(parse_error("10.*.*.*\n\xfe\xff\xffJ@c"), "effect.dat:2: a non-ASCII byte outside a comment");
  EXPECT_EQ(parse_error("r\xc3\xa9mi@abc.co.jp false"), "effect.dat:1: a non-ASCII byte outside a comment");
  EXPECT_EQ(parse_error("10.*.*.*\r\r\n"), "effect.dat:1: a CR inside the line (only CRLF or LF end a line)");
  EXPECT_EQ(parse_error(std::string_view("a\0b", 3)), "effect.dat:1: control character \\x00 in the line");
}

TEST(RelayRulesParse, CommentsAreHashSpace) {
  const RelayRules r = rules("# office LAN\n#\n192.168.1.* norelay\n# host names are refused below\n#host false");
  ASSERT_EQ(r.rules().size(), 2u);
  EXPECT_EQ(r.rules()[0].origin, "effect.dat:3");
  EXPECT_EQ(r.rules()[1].pattern.kind, Kind::host_domain);
  // A comment in Japanese, full-width space included.
  EXPECT_EQ(rules("# 社内\xE3\x80\x80LAN").rules().size(), 0u);
  // A stray space would silently turn a token rule into a comment: refused instead.
  for (std::string_view typo : {"# blank false", "# <> false", "# number", "# NODOMAIN norelay", "# host only"})
    EXPECT_NE(parse_error(typo).find("is a comment because of the space after #"), std::string::npos) << typo;
  // "#" then text without a space is a token, and an unknown one is an error.
  EXPECT_EQ(parse_error("10.*.*.*\n#office"),
            "effect.dat:2: \"#office\" is not a known token (#blank, #<>, #number, #nodomain, #host)");
  EXPECT_NE(parse_error("#blanks false").find("not a known token"), std::string::npos);
}

TEST(RelayRulesParse, UnknownActionsAreRefused) {
  EXPECT_EQ(parse_error("10.*.*.* norelay,1"),
            "effect.dat:1: unknown action \"norelay,1\" (none, true, false, default, norelay, norelay,0, norelay,2, "
            "only)");
  EXPECT_NE(parse_error("10.*.*.* deny").find("unknown action"), std::string::npos);
  EXPECT_NE(parse_error("10.*.*.* norelay, 0").find("more than one space"), std::string::npos);
}

TEST(RelayRulesParse, BadPatternsAreRefusedWithTheReason) {
  struct Bad {
    std::string_view line;
    std::string_view reason_part;
  };
  const Bad bad[] = {
      {"10.*.*", "is not an IPv4 pattern"},
      {"1.2.3.4.5", "is not an IPv4 pattern"},
      {"256.1.1.1", "bad octet"},
      {"010.1.1.1", "bad octet"},  // octal or decimal? refused rather than guessed
      {"10.1*.1.1", "bad octet"},
      {"1.2.3.4/33", "bad prefix length (0..32)"},
      {"1.2.3.4/", "bad prefix length"},
      {"1.2.3.4/08", "bad prefix length"},
      {"10.*.0.0/8", "mixes * and a /prefix"},
      {"2001:db8::/129", "bad prefix length (0..128)"},
      {"2001:db8:::1", "is not an IPv6 address"},
      {"fe80::1%eth0", "has a zone"},
      {"::ffff:192.168.1.0/80", "IPv4-mapped"},
      {"*.abc.co.jp", "only IPv4 octets take *"},
      {"abc_def.jp", "is not a pattern"},
      {"abc.co.jp.", "is not a pattern"},
      {"@abc.co.jp", "empty local part"},
      {"abc@", "empty domain"},
      {"abc@abc..jp", "bad domain part"},
      {"abc@[192.0.2.1]", "bad domain part"},
  };
  for (const auto& b : bad) {
    const std::string error = parse_error(b.line);
    EXPECT_TRUE(error.starts_with("effect.dat:1: ")) << b.line << ": " << error;
    EXPECT_NE(error.find(b.reason_part), std::string::npos) << b.line << ": " << error;
  }
  // The first bad line is reported, with its number.
  EXPECT_TRUE(parse_error("10.*.*.*\n\n# x\n300.1.1.1\nbad_one").starts_with("effect.dat:4: "));
}

TEST(RelayRulesParse, ErrorsAreInvalidArgumentOrLimitExceeded) {
  auto syntax = parse_relay_rules("10.*.*.*\tfalse", "f");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().code, ErrorCode::invalid_argument);
  auto limit = parse_relay_rules(std::string(max_relay_rule_line + 1, 'a'), "f");
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.error().code, ErrorCode::limit_exceeded);
}

TEST(RelayRulesParse, LineLengthLimit) {
  // A domain label is at most 63 bytes, so a long comment makes a long valid line.
  const std::string longest = "# " + std::string(max_relay_rule_line - 2, 'x');
  EXPECT_EQ(parse_error("10.*.*.*\n" + longest), "");
  EXPECT_EQ(parse_error("10.*.*.*\n" + longest + "x"), "effect.dat:2: line longer than 1024 bytes");
  // The CR of a CRLF line does not count.
  EXPECT_EQ(parse_error(longest + "\r\n"), "");
}

TEST(RelayRulesParse, FileSizeLimitNamesTheLineWhereItIsCrossed) {
  const std::string line = "# " + std::string(1000, 'x') + "\n";  // 1003 bytes
  std::string text;
  while (text.size() + line.size() <= max_relay_rules_bytes) text += line;
  EXPECT_EQ(parse_error(text), "");
  const std::size_t lines_inside = text.size() / line.size();
  text += line;
  auto r = parse_relay_rules(text, "effect.dat");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(r.error().message,
            "effect.dat:" + std::to_string(lines_inside + 1) + ": the file is larger than 4194304 bytes");
}

TEST(RelayRulesParse, RuleCountLimit) {
  std::string text;
  for (std::size_t i = 0; i < max_relay_rules; ++i)
    text += "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." +
            std::to_string(i % 256) + " false\n";
  auto ok = parse_relay_rules(text, "effect.dat");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->rules().size(), max_relay_rules);
  text += "\n# not a rule\n10.255.255.255 false\n";
  auto over = parse_relay_rules(text, "effect.dat");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(over.error().message, "effect.dat:100003: more than 100000 rules");
}

TEST(RelayRulesParse, OnlyEndsTheRulesAndLaterLinesAreReported) {
  const RelayRules r = rules("192.168.1.0/28 default\n0.0.0.0 only\n\n# after\n10.*.*.*\nrubbish here x\n");
  ASSERT_EQ(r.rules().size(), 2u);
  ASSERT_NE(r.only_rule(), nullptr);
  EXPECT_EQ(r.only_rule()->origin, "effect.dat:2");
  ASSERT_EQ(r.warnings().size(), 1u);
  EXPECT_EQ(r.warnings()[0],
            "effect.dat:5: 2 rule lines after \"only\" (effect.dat:2) ignored: \"only\" must be the last rule");
  // Blank lines and comments after "only" are no reason to warn.
  EXPECT_TRUE(rules("10.*.*.* only\n\n# end\n").warnings().empty());
  // A second "only" is just an ignored line.
  const RelayRules two = rules("10.*.*.* only\n11.*.*.* only");
  EXPECT_EQ(two.rules().size(), 1u);
  EXPECT_TRUE(has_warning(two, "effect.dat:2: 1 rule line after"));
}

TEST(RelayRulesParse, OpenRelayRisksAreFlaggedAndWarned) {
  struct Risk {
    std::string_view line;
    bool risky;
  };
  const Risk risks[] = {
      {"abc.co.jp", true},          {"abc.co.jp true", true},      {"abc@abc.co.jp", true},
      {"#<>", true},                {"#host true", true},          {"*.*.*.*", true},
      {"0.0.0.0/0", true},          {"::/0", true},                {"abc.co.jp false", false},
      {"abc.co.jp norelay", false}, {"abc@abc.co.jp only", false}, {"abc.co.jp default", false},
      {"10.*.*.*", false},          {"192.168.1.0/28", false},     {"*.*.*.* norelay", false},
      {"2001:db8::/32", false},
  };
  for (const auto& k : risks) {
    const RelayRules r = rules(k.line);
    ASSERT_EQ(r.rules().size(), 1u) << k.line;
    EXPECT_EQ(r.rules()[0].open_relay_risk(), k.risky) << k.line;
    EXPECT_EQ(has_warning(r, "open relay"), k.risky) << k.line;
  }
  EXPECT_TRUE(has_warning(rules("abc.co.jp"), "effect.dat:1: \"abc.co.jp\" lets mail through to any domain"));
}

TEST(RelayRulesParse, OtherWarnings) {
  const RelayRules bits = rules("192.168.1.5/28");
  EXPECT_TRUE(has_warning(bits, "effect.dat:1: the address has bits set below the prefix"));
  EXPECT_TRUE(has_warning(bits, "192.168.1.0 and up"));
  EXPECT_TRUE(rules("192.168.1.0/28").warnings().empty());
  EXPECT_TRUE(has_warning(rules("2001:db8::1/32"), "2001:db8:: and up"));

  const RelayRules shadowed = rules("*.*.*.* norelay\n10.*.*.* false\n#<> false");
  EXPECT_EQ(shadowed.warnings().size(), 1u);
  EXPECT_TRUE(has_warning(shadowed, "effect.dat:2: never used, nor any rule after it: effect.dat:1"));

  EXPECT_TRUE(has_warning(rules("abc.co.jp norelay,2"), "effect.dat:1: norelay,2 on an envelope-sender pattern"));
}

TEST(RelayRulesParse, ListEntriesUseTheSameSyntaxAndTheirIndex) {
  auto r = parse_relay_rule_list({"192.168.1.0/28 default", "", "# note", "0.0.0.0 only", "10.*.*.*"},
                                 "smtp.relay_rules");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->rules().size(), 2u);
  EXPECT_EQ(r->rules()[0].origin, "smtp.relay_rules[0]");
  EXPECT_EQ(r->rules()[1].origin, "smtp.relay_rules[3]");
  EXPECT_EQ(r->warnings().size(), 1u);
  EXPECT_TRUE(r->warnings()[0].starts_with("smtp.relay_rules[4]: 1 rule line after"));

  auto bad = parse_relay_rule_list({"10.*.*.*", "10.*.*.*\tfalse"}, "smtp.relay_rules");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "smtp.relay_rules[1]: TAB is not allowed: separate pattern and action with exactly one space");
  auto two_lines = parse_relay_rule_list({"10.*.*.*\n11.*.*.*"}, "smtp.relay_rules");
  ASSERT_FALSE(two_lines.ok());
  EXPECT_TRUE(two_lines.error().message.starts_with("smtp.relay_rules[0]: an entry is one line"));
  // TOML strings carry no line ending, so a CR is an error there.
  EXPECT_FALSE(parse_relay_rule_list({"10.*.*.*\r"}, "x").ok());
}

TEST(RelayRulesParse, AConstructedSetStopsAtOnly) {
  auto r = parse_relay_rule_list({"10.*.*.* only"}, "x");
  ASSERT_TRUE(r.ok());
  std::vector<RelayRule> list = {r->rules()[0], r->rules()[0]};
  const RelayRules set(std::move(list), {});
  EXPECT_EQ(set.rules().size(), 1u);
  EXPECT_NE(set.only_rule(), nullptr);
}

}  // namespace
}  // namespace dirmail::smtp
