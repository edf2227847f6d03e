#include "dirmail/auth/secrets_file_format.hpp"

#include <unordered_set>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::auth {

std::string_view to_string(SecretScheme scheme) {
  switch (scheme) {
    case SecretScheme::sealed: return "sealed";
    case SecretScheme::argon2id: return "argon2id";
  }
  return "sealed";
}

Result<std::string> secret_login_key(std::string_view login) {
  if (login.empty()) return make_error(ErrorCode::invalid_argument, "empty login");
  if (login.size() > max_secret_login) return make_error(ErrorCode::invalid_argument, "login longer than 256 bytes");
  std::string key;
  key.reserve(login.size());
  for (char c : login) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return make_error(ErrorCode::invalid_argument, "login with white space or control characters");
    key.push_back(static_cast<char>(std::tolower(u)));
  }
  return key;
}

Result<std::vector<SecretEntry>> parse_secrets_file(std::string_view text) {
  if (text.size() > max_secrets_file_size)
    return make_error(ErrorCode::limit_exceeded, "larger than 16 MiB");
  std::vector<SecretEntry> entries;
  std::unordered_set<std::string> seen;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    auto bad = [number](std::string_view why) {
      return make_error(ErrorCode::invalid_argument, fmt::format("line {}: {}", number, why));
    };
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // the same limit for CRLF and LF files
    if (line.size() > max_secrets_line) return make_error(ErrorCode::limit_exceeded, fmt::format("line {}: longer than 4096 bytes", number));
    std::string_view trimmed = trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    auto gap = trimmed.find_first_of(" \t");
    if (gap == std::string_view::npos) return bad("expected LOGIN<TAB>SCHEME:VALUE");
    auto login = secret_login_key(trimmed.substr(0, gap));
    if (!login) return bad(login.error().message);
    std::string_view rest = trim(trimmed.substr(gap));
    auto colon = rest.find(':');
    if (colon == std::string_view::npos || colon + 1 == rest.size()) return bad("expected SCHEME:VALUE after the login");
    std::string_view scheme = rest.substr(0, colon);
    SecretEntry entry{*login, SecretScheme::sealed, std::string(rest.substr(colon + 1)), number};
    if (scheme == "sealed") entry.scheme = SecretScheme::sealed;
    else if (scheme == "argon2id") entry.scheme = SecretScheme::argon2id;
    else return bad(fmt::format("unknown scheme \"{}\" (sealed or argon2id)", scheme));
    if (entry.value.find_first_of(" \t") != std::string::npos) return bad("white space inside the value");
    if (entry.scheme == SecretScheme::argon2id && !entry.value.starts_with("$argon2id$"))
      return bad("an argon2id value starts with $argon2id$");
    if (!seen.insert(entry.login).second) return bad(fmt::format("\"{}\" is given twice", entry.login));
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string format_secret_entry(const SecretEntry& entry) {
  return fmt::format("{}\t{}:{}", entry.login, to_string(entry.scheme), entry.value);
}

}  // namespace dirmail::auth
