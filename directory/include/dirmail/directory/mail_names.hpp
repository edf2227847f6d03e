#pragma once
// Account names, mail domains and addresses as the directory accepts them. Account
// names and domains become path components (%USERNAME%, %DOMAIN%), so validation is
// strict: no '/', no "..", no NUL, no leading '.'. Every function returns the
// canonical (lower-case) form, so comparisons are case-insensitive by construction.
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

inline constexpr std::size_t max_account_name_length = 64;
inline constexpr std::size_t max_domain_length = 253;
inline constexpr std::size_t max_local_part_length = 64;
inline constexpr std::size_t max_address_length = 254;  // RFC 5321 path limit less <>

// [A-Za-z0-9._-]{1,64}, not starting with '.'; returns it lower-cased.
Result<std::string> canonical_account_name(std::string_view name);

// A DNS name: labels of [A-Za-z0-9-]{1,63}, not starting or ending with '-', joined by
// single dots, at most 253 characters; returns it lower-cased.
Result<std::string> canonical_domain(std::string_view domain);

// "local@domain" split at the last '@'; both parts non-empty, within length limits.
// The local part is lower-cased but otherwise kept (it may not be an account name).
struct AddressParts {
  std::string local_part;
  std::string domain;
};
Result<AddressParts> split_address(std::string_view address);

// A login: "alice" (domain empty) or "alice@example.test", both parts validated.
struct Login {
  std::string name;
  std::string domain;  // empty: any domain
};
Result<Login> parse_login(std::string_view login);

}  // namespace dirmail::directory
