#pragma once
// Shared by the relay-rule tests: a hosted domain "our.example", an external domain
// "other.example", and short ways to build rule sets and RCPT queries.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "dirmail/smtp/relay_rules.hpp"

namespace dirmail::smtp::relay_test {

inline constexpr AddressClass A = AddressClass::internal_with_account;
inline constexpr AddressClass N = AddressClass::internal_without_account;
inline constexpr AddressClass E = AddressClass::external;

// Rules from effect.dat text; a parse error fails the test and gives an empty set.
inline RelayRules rules(std::string_view text) {
  auto parsed = parse_relay_rules(text, "effect.dat");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(*parsed) : RelayRules();
}

// The reason an effect.dat text is refused ("" when it parses).
inline std::string parse_error(std::string_view text) {
  auto parsed = parse_relay_rules(text, "effect.dat");
  return parsed.ok() ? std::string() : parsed.error().message;
}

inline std::optional<IpAddress> ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a;
}

// A mailbox sender of the given class: our.example for A and N, other.example for E.
inline EnvelopeSender sender_of(AddressClass c) {
  return EnvelopeSender::mailbox(c == E ? "carol" : (c == A ? "alice" : "nobody"),
                                 c == E ? "other.example" : "our.example");
}

inline RelayQuery query(std::string_view client, AddressClass from, AddressClass to, bool authenticated = false) {
  return RelayQuery{ip(client), sender_of(from), from, to, authenticated};
}

inline const char* name(AddressClass c) { return c == A ? "A" : (c == N ? "N" : "E"); }

}  // namespace dirmail::smtp::relay_test
