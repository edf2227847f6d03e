// Fuzzes the effect.dat parser (smtp::parse_relay_rules, parse_relay_rule_list) and the
// decisions of what it parses. Byte 0 bit 0: the rest is a file (0) or a list of
// LF-separated entries (1).
//
// Checks: errors are invalid_argument/limit_exceeded and name "NAME:LINE" (or
// "NAME[INDEX]") of a line that exists; the file and list forms agree; rule texts
// parse again to the same rules; match() is the plain first match in file order;
// every decision is deterministic, equals the guide's matrix for the first matching
// rule's action (an independent table below), never accepts an unknown local
// recipient, and an empty rule set is matrix I.
#include <array>
#include <string>
#include <vector>

#include "dirmail/smtp/relay_rules.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using namespace dirmail::smtp;

constexpr std::string_view file_name = "effect.dat";
constexpr std::string_view list_name = "smtp.relay_rules";

// The guide's matrices: [sender A, N, E] rows of "recipient A N E", '+' accept.
using Table = std::array<std::string_view, 3>;
constexpr Table table_i{"+-+", "---", "+--"};
constexpr Table table_ii{"+-+", "+-+", "+-+"};
constexpr Table table_iii{"---", "---", "---"};
constexpr Table table_iv{"+--", "---", "+--"};
constexpr Table table_v{"---", "---", "+--"};
constexpr Table table_auth{"+-+", "+-+", "+-+"};  // an authenticated session where AUTH counts

constexpr std::array<AddressClass, 3> classes{AddressClass::internal_with_account,
                                              AddressClass::internal_without_account, AddressClass::external};

std::size_t index_of(AddressClass c) {
  return c == AddressClass::internal_with_account ? 0 : (c == AddressClass::internal_without_account ? 1 : 2);
}

// What the guide and relay_rules.hpp say one RCPT gets; `rule` is the first match.
bool expected_accept(const RelayRules& rules, const RelayRule* rule, const RelayQuery& q) {
  Table table = table_i;
  bool auth_counts = true;
  if (rule != nullptr) {
    switch (rule->action) {
      case RelayAction::allow: table = table_ii; break;
      case RelayAction::deny: table = table_iii; auth_counts = false; break;
      case RelayAction::default_matrix: case RelayAction::only: table = table_i; break;
      case RelayAction::norelay: table = table_iv; break;
      case RelayAction::norelay_refuse_auth: case RelayAction::norelay_ip_over_auth:
        table = table_iv;
        auth_counts = false;
        break;
    }
  } else if (rules.only_rule() != nullptr) {
    table = table_v;
  }
  if (q.authenticated && auth_counts) table = table_auth;
  const AddressClass from =
      q.sender.form == EnvelopeSender::Form::mailbox ? q.sender_class : AddressClass::external;
  return table[index_of(from)][index_of(q.recipient_class)] == '+';
}

std::vector<std::optional<IpAddress>> probe_clients(const RelayRules& rules) {
  std::vector<std::optional<IpAddress>> out;
  for (std::string_view text : {"192.168.0.7", "192.168.1.16", "0.0.0.0", "255.255.255.255", "2001:db8::1"})
    out.push_back(IpAddress::parse(text));
  out.push_back(std::nullopt);
  std::size_t taken = 0;
  for (const auto& rule : rules.rules()) {
    if (rule.pattern.kind != RelayPattern::Kind::network || taken++ == 3) continue;
    const IpAddress first = rule.pattern.network.first_address();
    FUZZ_CHECK(rule.pattern.network.contains(first));
    out.push_back(first);
    auto bytes = first.bytes();
    bytes[first.is_v4() ? 3 : 15] ^= 1;
    if (first.is_v4()) {
      out.push_back(IpAddress::v4((std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                                  (std::uint32_t{bytes[2]} << 8) | bytes[3]));
    } else {
      out.push_back(IpAddress::v6(bytes));
    }
  }
  return out;
}

std::vector<EnvelopeSender> probe_senders(const RelayRules& rules) {
  std::vector<EnvelopeSender> out{EnvelopeSender::blank(), EnvelopeSender::null_path(),
                                  EnvelopeSender::mailbox("alice", "our.example"),
                                  EnvelopeSender::mailbox("u", "[192.0.2.1]"), EnvelopeSender::mailbox("u", "pc01"),
                                  EnvelopeSender::mailbox("u", "")};
  std::size_t taken = 0;
  for (const auto& rule : rules.rules()) {
    const auto kind = rule.pattern.kind;
    if ((kind != RelayPattern::Kind::sender_domain && kind != RelayPattern::Kind::sender_address) || taken++ == 3)
      continue;
    const auto at = rule.pattern.value.rfind('@');
    if (at == std::string::npos) {
      out.push_back(EnvelopeSender::mailbox("someone", rule.pattern.value));
    } else {
      out.push_back(EnvelopeSender::mailbox(rule.pattern.value.substr(0, at), rule.pattern.value.substr(at + 1)));
    }
  }
  return out;
}

void check_decisions(const RelayRules& rules) {
  for (const auto& client : probe_clients(rules)) {
    for (const auto& sender : probe_senders(rules)) {
      const RelayRule* hit = rules.match(client, sender);
      // match() splits network and sender rules; it must still be the plain first match.
      const RelayRule* first = nullptr;
      for (const auto& rule : rules.rules()) {
        if (rule.pattern.matches(client, sender)) {
          first = &rule;
          break;
        }
      }
      FUZZ_CHECK(hit == first);
      for (auto from : classes) {
        for (auto to : classes) {
          for (bool auth : {false, true}) {
            const RelayQuery q{client, sender, from, to, auth};
            const RelayDecision d = rules.decide(q);
            const RelayDecision again = rules.decide(q);
            FUZZ_CHECK(d.verdict == again.verdict && d.matrix == again.matrix && d.rule == again.rule &&
                       d.reason == again.reason);
            FUZZ_CHECK(d.accepted() == expected_accept(rules, hit, q));
            FUZZ_CHECK(!d.reason.empty() && !d.decided_by().empty());
            if (hit != nullptr) {
              FUZZ_CHECK(d.rule == hit && d.rule_matched);
            } else {
              FUZZ_CHECK(!d.rule_matched && d.rule == rules.only_rule());
              FUZZ_CHECK(d.matrix == (d.rule ? RelayMatrix::only_unlisted : RelayMatrix::default_rules));
            }
            if (to == AddressClass::internal_without_account) FUZZ_CHECK(!d.accepted());
            // Open-relay guard: without AUTH, external to external needs an allow rule.
            if (!auth && to == AddressClass::external && from == AddressClass::external && d.accepted())
              FUZZ_CHECK(hit != nullptr && hit->action == RelayAction::allow);
            if (rules.waives_auth_requirement(client, sender))
              FUZZ_CHECK(hit != nullptr && hit->action == RelayAction::norelay_ip_over_auth);
          }
        }
      }
    }
  }
}

// "NAME:LINE: ..." (file) or "NAME[INDEX]: ..." (list); returns LINE or INDEX.
std::size_t located_number(const std::string& message, bool list) {
  const std::string_view name = list ? list_name : file_name;
  FUZZ_CHECK(message.starts_with(name));
  std::size_t i = name.size();
  FUZZ_CHECK(i < message.size() && message[i] == (list ? '[' : ':'));
  ++i;
  std::size_t number = 0;
  const std::size_t digits_start = i;
  while (i < message.size() && message[i] >= '0' && message[i] <= '9' && i - digits_start < 9)
    number = number * 10 + static_cast<std::size_t>(message[i++] - '0');
  FUZZ_CHECK(i > digits_start);
  const std::string_view separator = list ? "]: " : ": ";
  FUZZ_CHECK(message.compare(i, separator.size(), separator) == 0);
  return number;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (true) {
    const auto lf = text.find('\n');
    lines.emplace_back(text.substr(0, lf));
    if (lf == std::string_view::npos) break;
    text.remove_prefix(lf + 1);
  }
  return lines;
}

void check_rules(const RelayRules& rules, bool list) {
  FUZZ_CHECK(rules.rules().size() <= max_relay_rules);
  for (std::size_t i = 0; i < rules.rules().size(); ++i) {
    const RelayRule& rule = rules.rules()[i];
    FUZZ_CHECK(rule.text.size() <= max_relay_rule_line);
    FUZZ_CHECK(rule.text.find('\n') == std::string::npos && rule.text.find('\r') == std::string::npos);
    FUZZ_CHECK(!rule.text.empty() && rule.text.front() != ' ' && rule.text.back() != ' ');
    FUZZ_CHECK(rule.action != RelayAction::only || i + 1 == rules.rules().size());
    FUZZ_CHECK(rule.open_relay_risk() ==
               (rule.action == RelayAction::allow &&
                (rule.pattern.judges_sender() || rule.pattern.network.covers_whole_family())));
    located_number(rule.origin + ": ", list);
  }
  for (const auto& w : rules.warnings()) located_number(w, list);

  // The rule texts are rules again, with the same meaning.
  std::string again;
  for (const auto& rule : rules.rules()) again += rule.text + "\n";
  auto reparsed = parse_relay_rules(again, file_name);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->rules().size() == rules.rules().size());
  for (std::size_t i = 0; i < rules.rules().size(); ++i) {
    const auto& a = rules.rules()[i];
    const auto& b = reparsed->rules()[i];
    FUZZ_CHECK(a.text == b.text && a.action == b.action && a.pattern.kind == b.pattern.kind &&
               a.pattern.value == b.pattern.value);
    FUZZ_CHECK(b.origin == std::string(file_name) + ":" + std::to_string(i + 1));
  }
  check_decisions(rules);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const bool list = (fuzz::take_byte(input) & 1) != 0;
  const std::vector<std::string> lines = split_lines(input);

  auto parsed = list ? parse_relay_rule_list(lines, list_name) : parse_relay_rules(input, file_name);
  if (!parsed) {
    const Error& e = parsed.error();
    FUZZ_CHECK(e.code == ErrorCode::invalid_argument || e.code == ErrorCode::limit_exceeded);
    const std::size_t n = located_number(e.message, list);
    FUZZ_CHECK(list ? n < lines.size() : (n >= 1 && n <= lines.size()));
  } else {
    check_rules(*parsed, list);
  }

  // A file without CR, BOM or UTF-16 mark is the same rules as its lines in a list.
  if (!list && input.find('\r') == std::string_view::npos && !input.starts_with("\xEF\xBB\xBF") &&
      !input.starts_with("\xFF\xFE") && !input.starts_with("\xFE\xFF")) {
    auto as_list = parse_relay_rule_list(lines, list_name);
    FUZZ_CHECK(as_list.ok() == parsed.ok());
    if (parsed.ok()) {
      FUZZ_CHECK(as_list->rules().size() == parsed->rules().size());
      FUZZ_CHECK(as_list->warnings().size() == parsed->warnings().size());
    } else {
      FUZZ_CHECK(located_number(as_list.error().message, true) + 1 == located_number(parsed.error().message, false));
    }
  }

  // No rules at all is matrix I.
  static const RelayRules empty;
  const auto client = IpAddress::parse("203.0.113.9");
  for (auto from : classes)
    for (auto to : classes)
      FUZZ_CHECK(empty.decide({client, EnvelopeSender::mailbox("x", "our.example"), from, to, false}).accepted() ==
                 (table_i[index_of(from)][index_of(to)] == '+'));
  return 0;
}
