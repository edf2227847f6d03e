#pragma once
// A user's directory entry turned into an Account: name, display name, home, mail
// domain (the group named after a mail domain), further addresses, state. Pure: the
// entry may come from any server, so every value is checked and bounded.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/directory/directory_schema.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {

inline constexpr std::size_t max_mapped_values = 1000;  // per attribute; the rest is ignored
inline constexpr std::size_t max_dn_length = 4096;

struct MappingContext {
  std::vector<std::string> mail_domains;  // canonical, in the administrator's order
  bool is_mail_user = false;              // member of the mail-users group (decided by the caller)
  std::int64_t now_filetime = 0;          // for accountExpires
};

struct MappedUser {
  Account account;                        // state set; may_* not yet (see account_policy.hpp)
  std::vector<std::string> domain_groups; // mail domains the user is a group member of
  std::string primary_address;            // AD "SMTP:" proxy address, lower case; may be empty
};

// invalid_argument when the entry has no usable account name (absent, or not a valid
// mailbox folder name such as "a b" or "../x").
Result<MappedUser> map_user_entry(const LdapEntry& entry, const DirectorySchema& schema,
                                  const MappingContext& context);

// The value of a DN's first RDN, with DN escapes (RFC 4514) undone:
// "CN=example.test,CN=Users,DC=corp" -> "example.test". invalid_argument if malformed.
Result<std::string> first_rdn_value(std::string_view dn);

// Case-insensitive DN comparison after trimming spaces around ',' and '='.
bool same_dn(std::string_view a, std::string_view b);

}  // namespace dirmail::directory
