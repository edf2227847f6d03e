// Every cell of the guide's relay matrices I-V (smtp-server-guide.md §4.5.1), for a
// client inside the rule's network and one outside it, with and without AUTH.
#include <array>

#include "relay_test_support.hpp"

namespace dirmail::smtp {
namespace {

using namespace relay_test;

// Rows: sender A, N, E; in each row the recipients A, N, E. '+' accept, '-' refuse.
using Matrix = std::array<std::string_view, 3>;
constexpr Matrix I{"+-+", "---", "+--"};
constexpr Matrix II{"+-+", "+-+", "+-+"};
constexpr Matrix III{"---", "---", "---"};
constexpr Matrix IV{"+--", "---", "+--"};
constexpr Matrix V{"---", "---", "+--"};
// An authenticated session where AUTH counts: every existing or external recipient.
constexpr Matrix AUTH{"+-+", "+-+", "+-+"};

constexpr std::array<AddressClass, 3> classes{A, N, E};
constexpr std::string_view inside = "192.168.0.7";
constexpr std::string_view outside = "203.0.113.9";

struct MatrixCase {
  std::string_view rules;
  Matrix inside_plain, outside_plain;  // unauthenticated
  Matrix inside_auth, outside_auth;    // authenticated
};

// The guide's cases I-V, and the actions it mentions only in the notes.
constexpr std::array<MatrixCase, 10> cases{{
    {"", I, I, AUTH, AUTH},                               // I: no effect.dat
    {"192.168.0.* default", I, I, AUTH, AUTH},            // I
    {"192.168.0.*", II, I, AUTH, AUTH},                   // II (true written as nothing)
    {"192.168.0.* true", II, I, AUTH, AUTH},              // II
    {"192.168.0.* false", III, I, III, AUTH},             // III: AUTH does not help
    {"192.168.0.* norelay", IV, I, AUTH, AUTH},           // IV, note 1: AUTH may relay
    {"192.168.0.* norelay,0", IV, I, IV, AUTH},           // note 1: not even with AUTH
    {"192.168.0.* norelay,2", IV, I, IV, AUTH},           // note 1: the IP rule wins over AUTH
    {"192.168.0.* only", I, V, AUTH, AUTH},               // V
    {"192.168.0.* default\n0.0.0.0 only", I, V, AUTH, AUTH},  // V spelled as in the examples
}};

void expect_matrix(const RelayRules& r, std::string_view client, bool authenticated, const Matrix& want) {
  for (std::size_t row = 0; row < 3; ++row) {
    for (std::size_t col = 0; col < 3; ++col) {
      const RelayDecision d = r.decide(query(client, classes[row], classes[col], authenticated));
      EXPECT_EQ(d.accepted(), want[row][col] == '+')
          << "client " << client << (authenticated ? " with AUTH" : "") << ", " << name(classes[row]) << " -> "
          << name(classes[col]) << ": " << to_string(d.verdict) << " (" << d.reason << ") by " << d.decided_by();
    }
  }
}

TEST(RelayMatrix, EveryCellOfTheGuidesMatrices) {
  for (const auto& c : cases) {
    SCOPED_TRACE("effect.dat: \"" + std::string(c.rules) + "\"");
    const RelayRules r = rules(c.rules);
    expect_matrix(r, inside, false, c.inside_plain);
    expect_matrix(r, outside, false, c.outside_plain);
    expect_matrix(r, inside, true, c.inside_auth);
    expect_matrix(r, outside, true, c.outside_auth);
  }
}

TEST(RelayMatrix, NamesTheMatrixThatApplied) {
  const RelayRules r = rules("192.168.0.5 false\n192.168.0.* norelay\n10.*.*.* only");
  EXPECT_EQ(r.decide(query("192.168.0.5", E, A)).matrix, RelayMatrix::refuse_all);
  EXPECT_EQ(r.decide(query("192.168.0.6", E, A)).matrix, RelayMatrix::norelay);
  EXPECT_EQ(r.decide(query("10.1.1.1", E, A)).matrix, RelayMatrix::default_rules);
  EXPECT_EQ(r.decide(query(outside, E, A)).matrix, RelayMatrix::only_unlisted);
  EXPECT_EQ(rules("").decide(query(outside, E, A)).matrix, RelayMatrix::default_rules);
  EXPECT_EQ(to_string(RelayMatrix::only_unlisted), "V only");
}

TEST(RelayMatrix, VerdictsSayWhyForTheLog) {
  const RelayRules none = rules("");
  EXPECT_EQ(none.decide(query(outside, A, N)).verdict, RelayVerdict::unknown_recipient);
  EXPECT_EQ(none.decide(query(outside, N, A)).verdict, RelayVerdict::sender_refused);  // anti-spoofing
  EXPECT_EQ(none.decide(query(outside, E, E)).verdict, RelayVerdict::relay_denied);
  EXPECT_EQ(none.decide(query(outside, E, A)).verdict, RelayVerdict::accept);
  EXPECT_EQ(rules("192.168.0.* false").decide(query(inside, E, A)).verdict, RelayVerdict::refused_by_rule);
  // A "false" source learns nothing about which addresses exist.
  EXPECT_EQ(rules("192.168.0.* false").decide(query(inside, E, N)).verdict, RelayVerdict::refused_by_rule);
  const RelayRules only = rules("192.168.0.* only");
  EXPECT_EQ(only.decide(query(outside, A, A)).verdict, RelayVerdict::sender_refused);
  EXPECT_EQ(only.decide(query(outside, E, E)).verdict, RelayVerdict::relay_denied);
  for (auto from : classes)
    for (auto to : classes) EXPECT_FALSE(none.decide(query(outside, from, to)).reason.empty());
}

TEST(RelayMatrix, UnknownLocalRecipientIsRefusedWhateverTheRuleOrAuth) {
  for (std::string_view text : {"", "192.168.0.*", "192.168.0.* default", "192.168.0.* norelay",
                                "192.168.0.* norelay,0", "192.168.0.* norelay,2", "192.168.0.* only"}) {
    const RelayRules r = rules(text);
    for (auto client : {inside, outside})
      for (auto from : classes)
        for (bool auth : {false, true})
          EXPECT_EQ(r.decide(query(client, from, N, auth)).verdict, RelayVerdict::unknown_recipient)
              << text << " " << client << " " << name(from) << " auth " << auth;
  }
}

TEST(RelayMatrix, AuthRefusalsNameTheNorelayVariant) {
  auto d0 = rules("192.168.0.* norelay,0").decide(query(inside, A, E, true));
  EXPECT_EQ(d0.verdict, RelayVerdict::relay_denied);
  EXPECT_NE(d0.reason.find("norelay,0"), std::string_view::npos);
  auto d2 = rules("192.168.0.* norelay,2").decide(query(inside, A, E, true));
  EXPECT_EQ(d2.verdict, RelayVerdict::relay_denied);
  EXPECT_NE(d2.reason.find("norelay,2"), std::string_view::npos);
  EXPECT_EQ(rules("192.168.0.* norelay").decide(query(inside, A, E, true)).reason, "authenticated session");
}

TEST(RelayMatrix, NorelayTwoWaivesTheAuthRequirementForItsNetworkOnly) {
  const RelayRules r = rules("192.168.0.* norelay,2");
  const auto alice = sender_of(A);
  EXPECT_TRUE(r.waives_auth_requirement(ip(inside), alice));
  EXPECT_FALSE(r.waives_auth_requirement(ip(outside), alice));
  EXPECT_FALSE(rules("192.168.0.* norelay,0").waives_auth_requirement(ip(inside), alice));
  EXPECT_FALSE(rules("192.168.0.* norelay").waives_auth_requirement(ip(inside), alice));
  EXPECT_FALSE(rules("192.168.0.*").waives_auth_requirement(ip(inside), alice));
  // An envelope sender is no "IP condition": it cannot spare anyone AUTH.
  EXPECT_FALSE(rules("our.example norelay,2").waives_auth_requirement(ip(inside), alice));
  // First match decides here too.
  EXPECT_FALSE(rules("192.168.0.7 false\n192.168.0.* norelay,2").waives_auth_requirement(ip(inside), alice));
}

TEST(RelayMatrix, NullAndBlankSendersCountAsExternal) {
  const RelayRules none = rules("");
  for (auto sender : {EnvelopeSender::null_path(), EnvelopeSender::blank()}) {
    // Even if a caller mislabels them: no domain, so not one of ours.
    for (auto claimed : classes) {
      EXPECT_TRUE(none.decide({ip(outside), sender, claimed, A, false}).accepted());  // bounces reach users
      EXPECT_FALSE(none.decide({ip(outside), sender, claimed, E, false}).accepted());
      EXPECT_FALSE(none.decide({ip(outside), sender, claimed, N, false}).accepted());
    }
  }
}

TEST(RelayMatrix, UnknownClientSendingExternalToExternalIsRefusedUnlessARuleAllowsIt) {
  // An open-relay probe: an external sender asks for an external recipient.
  const std::array<std::string_view, 8> actions{"", " true", " false", " default",
                                                " norelay", " norelay,0", " norelay,2", " only"};
  for (auto action : actions) {
    const RelayRules r = rules("192.168.0.*" + std::string(action));
    for (auto client : {"198.51.100.23", "2001:db8::23", "::ffff:203.0.113.9"})
      EXPECT_FALSE(r.decide(query(client, E, E)).accepted()) << "rule 192.168.0.*" << action << " client " << client;
    EXPECT_FALSE(r.decide({std::nullopt, sender_of(E), E, E, false}).accepted()) << action;
    // Inside the rule's network only an allow rule relays.
    const bool allow = action.empty() || action == " true";
    EXPECT_EQ(r.decide(query(inside, E, E)).accepted(), allow) << "rule 192.168.0.*" << action;
  }
  // The explicit allow rules that do relay for anyone: the open-relay risks the loader flags.
  EXPECT_TRUE(rules("other.example").decide(query("198.51.100.23", E, E)).accepted());
  EXPECT_TRUE(rules("carol@other.example").decide(query("198.51.100.23", E, E)).accepted());
  EXPECT_TRUE(rules("*.*.*.*").decide(query("198.51.100.23", E, E)).accepted());
  EXPECT_TRUE(rules("0.0.0.0/0").decide(query("198.51.100.23", E, E)).accepted());
}

}  // namespace
}  // namespace dirmail::smtp
