#include <array>
#include <cstdint>
#include <optional>

#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {
namespace {

struct SubCode {
  std::uint32_t value;
  BindRefusal refusal;
};

// Active Directory's "data XXX" sub-codes (Win32 error numbers, in hex) of an
// invalidCredentials bind result.
constexpr std::array<SubCode, 9> kSubCodes{{
    {0x525, BindRefusal::no_such_user},
    {0x52e, BindRefusal::bad_credentials},
    {0x530, BindRefusal::logon_hours},
    {0x531, BindRefusal::workstation},
    {0x532, BindRefusal::password_expired},
    {0x533, BindRefusal::disabled},
    {0x701, BindRefusal::account_expired},
    {0x773, BindRefusal::must_change_password},
    {0x775, BindRefusal::locked},
}};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_digit(char c) {
  c = lower(c);
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The hex number after a "data " word that starts the text or follows a space or a
// comma, ended by the end, a comma, a space or a NUL (AD sometimes sends one); at
// most 8 digits.
std::optional<std::uint32_t> data_code(std::string_view text) {
  constexpr std::string_view word = "data ";
  for (std::size_t at = 0; at + word.size() <= text.size(); ++at) {
    if (at > 0 && text[at - 1] != ' ' && text[at - 1] != ',') continue;
    bool match = true;
    for (std::size_t i = 0; i < word.size() && match; ++i) match = lower(text[at + i]) == word[i];
    if (!match) continue;
    std::uint32_t value = 0;
    std::size_t digits = 0;
    std::size_t pos = at + word.size();
    for (; pos < text.size() && digits < 9; ++pos, ++digits) {
      int d = hex_digit(text[pos]);
      if (d < 0) break;
      value = value * 16 + static_cast<std::uint32_t>(d);
    }
    bool ended = pos == text.size() || text[pos] == ',' || text[pos] == ' ' || text[pos] == '\0';
    if (digits > 0 && digits <= 8 && ended) return value;
  }
  return std::nullopt;
}

}  // namespace

BindRefusal parse_bind_refusal(std::string_view diagnostic_message) {
  auto code = data_code(diagnostic_message.substr(0, max_bind_diagnostic));
  if (!code) return BindRefusal::bad_credentials;
  for (const SubCode& known : kSubCodes)
    if (known.value == *code) return known.refusal;
  return BindRefusal::bad_credentials;
}

std::string_view to_string(BindRefusal refusal) {
  switch (refusal) {
    case BindRefusal::bad_credentials: return "bad_credentials";
    case BindRefusal::no_such_user: return "no_such_user";
    case BindRefusal::logon_hours: return "logon_hours";
    case BindRefusal::workstation: return "workstation";
    case BindRefusal::password_expired: return "password_expired";
    case BindRefusal::disabled: return "disabled";
    case BindRefusal::account_expired: return "account_expired";
    case BindRefusal::must_change_password: return "must_change_password";
    case BindRefusal::locked: return "locked";
  }
  return "bad_credentials";
}

}  // namespace dirmail::directory
