#pragma once
// The account of a user whose identity is already proven (a Kerberos ticket through
// GSSAPI): the same directory rules as a password login, without a password.
#include <optional>
#include <string_view>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/directory.hpp"

namespace dirmail::auth {

// The account named `login` if it may log in to mail; std::nullopt for an unknown
// login or an account that may not (disabled, not a mail user, policy);
// temporary_failure (and the directory's other errors) when the directory could not
// answer. Blocking: call from the blocking pool.
Result<std::optional<directory::Account>> find_login_account(directory::Directory& directory,
                                                             std::string_view login);

}  // namespace dirmail::auth
