#pragma once
// Active Directory passwords as the importer sets them (spec active-directory-guide.md
// §11, §22.7): the unicodePwd value, the domain's policy checked before trying (for
// --dry-run; the DC stays the judge), and AD's refusal of a password recognised in the
// answer to the write. Private to the migration library.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::migration {

// pwdProperties' DOMAIN_PASSWORD_COMPLEX bit.
inline constexpr std::uint32_t domain_password_complex = 0x1;
// The complexity rule's own minimum, whatever minPwdLength says (spec §11).
inline constexpr std::size_t complex_password_min_length = 6;
// Account names this short are not looked for in the password (Windows' rule).
inline constexpr std::size_t min_account_name_checked = 3;

struct AdPasswordPolicy {
  std::size_t min_length = 0;  // minPwdLength, in characters
  bool complex = false;        // pwdProperties & DOMAIN_PASSWORD_COMPLEX
};

// From the domain head's minPwdLength and pwdProperties. An absent attribute is AD's
// "no rule" (0, not complex); a value that is no number is protocol_error naming it.
Result<AdPasswordPolicy> parse_ad_password_policy(const directory::LdapEntry& domain_head);

// Why the policy would refuse the password, or nullopt. The rules (spec §11): at least
// min_length characters; when complex, also at least 6, not the account name (names of
// 3 or more characters, ignoring case) within it, and characters of 3 of the 4 classes
// upper case A-Z, lower case a-z, digits 0-9, others. Characters count as UTF-16 code
// units, as AD counts them; a letter outside ASCII counts as "other" (AD has a fifth
// class for those, so this errs towards accepting). The reason never quotes the password.
std::optional<std::string> password_policy_objection(const AdPasswordPolicy& policy, std::string_view account,
                                                     std::string_view password);

// Whether a write's answer is the domain's password policy refusing the password: AD
// answers constraintViolation (19) or unwillingToPerform (53) with "0000052D"
// (ERROR_PASSWORD_RESTRICTION) in the diagnostic message.
bool is_password_policy_refusal(int ldap_result_code, std::string_view diagnostic);

// The unicodePwd value AD takes: the password in double quotes, as UTF-16LE. nullopt
// when the password is not valid UTF-8.
std::optional<std::string> unicode_pwd_value(std::string_view password);

}  // namespace dirmail::migration
