#pragma once
// The text of auth.secrets_file, the SMTP-AUTH/APOP password store (the original's
// "authentication file"): one account per line, "LOGIN<TAB>SCHEME:VALUE", blank lines
// and "#" comments allowed.
//   sealed:BASE64      the password itself, sealed with auth.secrets_key_file: serves
//                      PLAIN, LOGIN, CRAM-MD5 and APOP
//   argon2id:$argon2id$...   a hash: PLAIN and LOGIN only
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

inline constexpr std::size_t max_secrets_file_size = 16 * 1024 * 1024;
inline constexpr std::size_t max_secrets_line = 4096;
inline constexpr std::size_t max_secret_login = 256;

enum class SecretScheme { sealed, argon2id };
std::string_view to_string(SecretScheme scheme);

struct SecretEntry {
  std::string login;  // lower case, as the lookups use it
  SecretScheme scheme = SecretScheme::sealed;
  std::string value;  // after "scheme:"
  std::size_t line = 0;
};

// Every entry; invalid_argument "line N: reason" for the first bad line (a malformed
// entry, an unknown scheme, a login given twice); limit_exceeded for a file or line
// over the limits.
Result<std::vector<SecretEntry>> parse_secrets_file(std::string_view text);

// One line of the file (without the newline) for `entry`.
std::string format_secret_entry(const SecretEntry& entry);

// The login as entries are keyed: lower case. invalid_argument for an empty name or
// one with white space or control characters.
Result<std::string> secret_login_key(std::string_view login);

}  // namespace dirmail::auth
