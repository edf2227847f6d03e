#include "ad_password.hpp"

#include "dirmail/base/charset_conversion.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/ad_account_flags.hpp"

namespace dirmail::migration {
namespace {

constexpr int ldap_constraint_violation = 19;
constexpr int ldap_unwilling_to_perform = 53;
constexpr std::string_view password_restriction = "0000052d";  // ERROR_PASSWORD_RESTRICTION

// UTF-16 code units of UTF-8 text: one per character, two above U+FFFF (a four-octet
// sequence); octets that are no lead byte (continuations, damage) count nothing.
std::size_t utf16_units(std::string_view utf8) {
  std::size_t units = 0;
  for (char c : utf8) {
    auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80) continue;
    units += b >= 0xF0 ? 2 : 1;
  }
  return units;
}

int character_classes(std::string_view password) {
  bool upper = false, lower = false, digit = false, other = false;
  for (char c : password) {
    if (c >= 'A' && c <= 'Z') upper = true;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= '0' && c <= '9') digit = true;
    else other = true;
  }
  return int{upper} + int{lower} + int{digit} + int{other};
}

Result<std::size_t> policy_number(const directory::LdapEntry& head, std::string_view attribute) {
  const auto* values = head.values(attribute);
  if (values == nullptr || values->empty()) return std::size_t{0};
  auto value = directory::parse_ad_integer(values->front());
  if (!value || *value < 0 || *value > 0xFFFFFFFFLL)
    return make_error(ErrorCode::protocol_error, "the domain head's " + std::string(attribute) + " is not a number: " +
                                                     escape_control(values->front().substr(0, 32)));
  return static_cast<std::size_t>(*value);
}

}  // namespace

Result<AdPasswordPolicy> parse_ad_password_policy(const directory::LdapEntry& domain_head) {
  auto min_length = policy_number(domain_head, "minPwdLength");
  if (!min_length) return std::move(min_length).error();
  auto properties = policy_number(domain_head, "pwdProperties");
  if (!properties) return std::move(properties).error();
  AdPasswordPolicy policy;
  policy.min_length = *min_length;
  policy.complex = (*properties & domain_password_complex) != 0;
  return policy;
}

std::optional<std::string> password_policy_objection(const AdPasswordPolicy& policy, std::string_view account,
                                                     std::string_view password) {
  const std::size_t length = utf16_units(password);
  if (length < policy.min_length)
    return "shorter than the domain's minimum of " + std::to_string(policy.min_length) + " characters";
  if (!policy.complex) return std::nullopt;
  if (length < complex_password_min_length)
    return "shorter than the " + std::to_string(complex_password_min_length) +
           " characters the complexity rule asks for";
  if (utf16_units(account) >= min_account_name_checked &&
      to_lower(password).find(to_lower(account)) != std::string::npos)
    return "contains the account name";
  if (character_classes(password) < 3)
    return "has characters of fewer than 3 of the classes upper case, lower case, digits and others";
  return std::nullopt;
}

bool is_password_policy_refusal(int ldap_result_code, std::string_view diagnostic) {
  if (ldap_result_code != ldap_constraint_violation && ldap_result_code != ldap_unwilling_to_perform) return false;
  return to_lower(diagnostic.substr(0, directory::max_write_diagnostic)).find(password_restriction) !=
         std::string::npos;
}

std::optional<std::string> unicode_pwd_value(std::string_view password) {
  if (!valid_utf8(password)) return std::nullopt;
  std::string quoted = "\"" + std::string(password) + "\"";
  return convert_from_utf8(quoted, "UTF-16LE");
}

}  // namespace dirmail::migration
