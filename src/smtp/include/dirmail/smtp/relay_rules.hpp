#pragma once
// The relay and access rules of the original effect.dat (smtp.relay_rules): which
// RCPT TO the SMTP service takes, given the client's address, the envelope sender and
// whether the session authenticated. Pure: no I/O, no directory; the caller classifies
// the addresses. docs/relay-rules.md is the same story for administrators.
//
// FILE FORMAT (parse_relay_rules; parse_relay_rule_list takes the same lines from TOML)
//   One rule per line: "PATTERN" or "PATTERN ACTION", separated by exactly one space.
//   A TAB, a full-width space, a leading or trailing space, or a second space is an
//   error (the original did not recognise such lines; we say so instead of guessing).
//   CRLF and LF both end a line; a UTF-8 BOM at the start is skipped; a UTF-16 file is
//   refused. Rules are ASCII (an IDN domain in its xn-- form); other bytes may only
//   appear in comments.
//   Empty lines are skipped. "#" alone or "# " followed by text is a comment (a dirmail
//   addition: the original has no comments; its tokens never have a space after "#").
//   A comment that reads like a token rule ("# blank false") is an error, because it
//   is almost surely a typo of "#blank false" that would silently do nothing.
//   PATTERN: see parse_ip_network (IPv4 with * octets, IPv4/IPv6 CIDR, single
//     addresses; "*.*.*.*" is every client, IPv6 too), "#blank", "#<>", "#number",
//     "#nodomain", "#host" (relay_rule.hpp), a domain (the envelope sender's domain,
//     exactly: no subdomains, no "*"), or local@domain (the envelope sender).
//   ACTION: none or "true", "false", "default", "norelay", "norelay,0", "norelay,2",
//     "only" (case-insensitive).
//   The first "only" ends the rules: lines after it are ignored, with a warning.
//
// EVALUATION: the rules are tried in file order and the first whose pattern matches
// decides (RelayAction names its matrix). When none matches: matrix V if the rules end
// with "only", matrix I otherwise. An empty rule set is matrix I for everyone.
//
// MATRICES (rows: envelope sender, columns: recipient; A = hosted domain with that
// address, N = hosted domain without it, E = external; + accept, - refuse). These are
// the guide's tables for an unauthenticated session:
//          I default     II true     III false    IV norelay    V only (others)
//           A  N  E       A  N  E      A  N  E      A  N  E       A  N  E
//      A    +  -  +       +  -  +      -  -  -      +  -  -       -  -  -
//      N    -  -  -       +  -  +      -  -  -      -  -  -       -  -  -
//      E    +  -  -       +  -  +      -  -  -      +  -  -       +  -  -
//   Column N is refused everywhere: mail to an address that does not exist in a hosted
//   domain is never taken. Row N of I, IV and V refuses a sender that claims one of our
//   domains but has no account there (anti-spoofing).
//
// AUTH (the guide's default sender trust, "SMTP AUTH ID": a successful AUTH may send
// whatever the envelope sender says; checking the sender against the login is the
// caller's smtp.sender_trust, at MAIL FROM):
//   An authenticated session gets "+" in columns A and E, whatever the sender row,
//   under I, II, IV ("norelay", the guide's note 1) and V (an unlisted source with AUTH
//   is a road-warrior; if "norelay" lets AUTH relay, the weaker "only" cannot forbid it).
//   AUTH changes nothing under III ("false"), "norelay,0" (the guide: refused even
//   when authenticated) and "norelay,2".
//   "norelay,2" — the guide: "the IP condition takes precedence over SMTP AUTH; mail
//   from the IP is uniformly accepted". Our reading: for a source it matches, the IP
//   rule alone decides, the same way for everyone ("uniformly"): AUTH neither grants
//   relay (matrix IV as for "norelay,0") nor is demanded — smtp.auth_security_level
//   does not ask these clients to AUTH (waives_auth_requirement). That keeps ",0" and
//   ",2" distinct and follows the text literally; the waiver holds for network
//   patterns only, since an envelope sender is no "IP condition".
//   Column N and rule "false" win over AUTH.
//
// THE CALLER'S PART: the sender's and the recipient's AddressClass (from the directory:
// an alias or list address of a hosted domain counts as "with account"), the session's
// AUTH state, and the security level and sender-trust checks at MAIL FROM.
// Suggested replies: unknown_recipient 550 5.1.1, relay_denied 554 5.7.1 "Relay access
// denied", sender_refused and refused_by_rule 550 5.7.1.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/smtp/ip_network.hpp"
#include "dirmail/smtp/relay_rule.hpp"

namespace dirmail::smtp {

// Room for a few thousand hand-written rules plus the IPs the content filter blocks
// automatically (the original appended those to effect.dat). Matching is a linear
// scan (see RelayRules::match for its cost).
inline constexpr std::size_t max_relay_rules_bytes = 4 * 1024 * 1024;
inline constexpr std::size_t max_relay_rule_line = 1024;
inline constexpr std::size_t max_relay_rules = 100'000;

enum class AddressClass {
  internal_with_account,     // a hosted domain, and the address exists (account, alias, list)
  internal_without_account,  // a hosted domain, and no such address
  external,                  // any other domain
};

struct RelayQuery {
  // The peer's address (IpAddress::parse(peer_address)); nullopt matches no network rule.
  std::optional<IpAddress> client;
  EnvelopeSender sender;
  // For a blank or null sender this is ignored and taken as external: there is no
  // domain to be ours.
  AddressClass sender_class = AddressClass::external;
  AddressClass recipient_class = AddressClass::external;
  bool authenticated = false;  // the session completed AUTH
};

enum class RelayMatrix {
  default_rules,  // I: no rule, or "default", or the "only" rule itself
  accept_all,     // II: "true"
  refuse_all,     // III: "false"
  norelay,        // IV: "norelay", "norelay,0", "norelay,2"
  only_unlisted,  // V: no rule matched and the rules end with "only"
};
// "I default", "II true", "III false", "IV norelay", "V only".
std::string_view to_string(RelayMatrix matrix);

enum class RelayVerdict {
  accept,
  refused_by_rule,    // a "false" rule matched
  unknown_recipient,  // the recipient is internal_without_account
  sender_refused,     // a hosted-domain sender this source may not use (row N; row A of V)
  relay_denied,       // an external recipient this source and sender may not reach
};
std::string_view to_string(RelayVerdict verdict);

struct RelayDecision {
  RelayVerdict verdict = RelayVerdict::accept;
  RelayMatrix matrix = RelayMatrix::default_rules;
  // The rule that decided, pointing into the RelayRules (valid while it lives):
  // the matching rule, or for matrix V the "only" rule; nullptr for matrix I by default.
  const RelayRule* rule = nullptr;
  bool rule_matched = false;  // `rule` matched this source (false for matrix V)
  std::string_view reason;    // a short phrase for the log line

  bool accepted() const { return verdict == RelayVerdict::accept; }
  // For the log: `effect.dat:3 "192.168.0.* norelay"`, `"only" at effect.dat:4
  // "0.0.0.0 only" (no rule names this source)`, or `default matrix`.
  std::string decided_by() const;
};

class RelayRules {
 public:
  // No rules: matrix I for everyone (the original without an effect.dat).
  RelayRules() = default;
  // Keeps the rules up to and including the first "only".
  RelayRules(std::vector<RelayRule> rules, std::vector<std::string> warnings);

  // In file order; an "only" rule, if any, is the last.
  const std::vector<RelayRule>& rules() const { return rules_; }
  // "NAME:LINE: text" each: lines ignored after "only", CIDR host bits, open-relay
  // risks, rules that can never match. Log them at load.
  const std::vector<std::string>& warnings() const { return warnings_; }
  bool empty() const { return rules_.empty(); }
  const RelayRule* only_rule() const;

  // The first rule whose pattern matches, or nullptr. A linear scan: with the full
  // 100 000 network rules and no match, a few hundred microseconds (-O2).
  const RelayRule* match(const std::optional<IpAddress>& client, const EnvelopeSender& sender) const;
  // The decision for one RCPT TO. Deterministic; no allocation.
  RelayDecision decide(const RelayQuery& query) const;
  // True when the first matching rule is a network "norelay,2" rule: the session should
  // not demand AUTH from this client (security levels 2 and 3), see the file comment.
  bool waives_auth_requirement(const std::optional<IpAddress>& client, const EnvelopeSender& sender) const;

 private:
  // The network patterns in a compact array, so that a long list of blocked IPs is
  // scanned at memory speed; the (usually few) sender rules are tried separately.
  struct IndexedNetwork {
    IpNetwork network;
    std::size_t rule;
  };

  std::vector<RelayRule> rules_;
  std::vector<std::string> warnings_;
  std::vector<IndexedNetwork> networks_;
  std::vector<std::size_t> sender_rules_;
};

// effect.dat text. `name` prefixes every message: errors are "NAME:LINE: reason"
// (invalid_argument for syntax, limit_exceeded for the size limits, reported at the
// line where the limit is crossed); the first error is returned.
Result<RelayRules> parse_relay_rules(std::string_view text, std::string_view name);
// The same rules as a list (smtp.relay_rules in TOML), one line per entry. Messages
// are "NAME[INDEX]: reason", INDEX counting from 0 as TOML tools do.
Result<RelayRules> parse_relay_rule_list(const std::vector<std::string>& entries, std::string_view name);

}  // namespace dirmail::smtp
