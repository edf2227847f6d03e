#include "dirmail/directory/mail_names.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::directory {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Shown in error messages: printable ASCII only, bounded, so a hostile input cannot
// inject control characters into logs or terminals.
std::string printable(std::string_view s) {
  constexpr std::size_t max_shown = 80;
  std::string out;
  for (char c : s.substr(0, max_shown)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += '?';
    }
  }
  if (s.size() > max_shown) out += "...";
  return out;
}

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

}  // namespace

Result<std::string> canonical_account_name(std::string_view name) {
  if (name.empty()) return invalid("account name is empty");
  if (name.size() > max_account_name_length)
    return invalid("account name is longer than 64 characters: " + printable(name));
  if (name.front() == '.') return invalid("account name must not start with '.': " + printable(name));
  for (char c : name) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-')
      return invalid("account name may contain only letters, digits, '.', '_' and '-': " + printable(name));
  }
  return to_lower(name);
}

Result<std::string> canonical_domain(std::string_view domain) {
  if (domain.empty()) return invalid("domain is empty");
  if (domain.size() > max_domain_length)
    return invalid("domain is longer than 253 characters: " + printable(domain));
  for (std::string_view label : split(domain, '.')) {
    if (label.empty()) return invalid("domain has an empty label: " + printable(domain));
    if (label.size() > 63) return invalid("domain has a label longer than 63 characters: " + printable(domain));
    if (label.front() == '-' || label.back() == '-')
      return invalid("domain label must not start or end with '-': " + printable(domain));
    for (char c : label) {
      if (!is_alnum(c) && c != '-')
        return invalid("domain may contain only letters, digits, '-' and '.': " + printable(domain));
    }
  }
  return to_lower(domain);
}

Result<AddressParts> split_address(std::string_view address) {
  if (address.size() > max_address_length)
    return invalid("address is longer than 254 characters: " + printable(address));
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return invalid("address has no '@': " + printable(address));
  std::string_view local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  if (local.empty()) return invalid("address has an empty local part: " + printable(address));
  if (local.size() > max_local_part_length)
    return invalid("address local part is longer than 64 characters: " + printable(address));
  if (domain.empty()) return invalid("address has an empty domain: " + printable(address));
  for (char c : local) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return invalid("address contains a space or control character: " + printable(address));
  }
  for (char c : domain) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return invalid("address contains a space or control character: " + printable(address));
  }
  return AddressParts{to_lower(local), to_lower(domain)};
}

Result<Login> parse_login(std::string_view login) {
  auto at = login.rfind('@');
  if (at == std::string_view::npos) {
    auto name = canonical_account_name(login);
    if (!name) return std::move(name).error();
    return Login{std::move(*name), {}};
  }
  auto name = canonical_account_name(login.substr(0, at));
  if (!name) return std::move(name).error();
  auto domain = canonical_domain(login.substr(at + 1));
  if (!domain) return std::move(domain).error();
  return Login{std::move(*name), std::move(*domain)};
}

}  // namespace dirmail::directory
