#pragma once
// The embedded local directory (SQLite, directory/local_directory.hpp) as the
// importer's target: the original's full multi-domain soft accounts map one to one
// (name@domain is the account), so the same name in two domains is no conflict here.
// The password is hashed by the directory; the mailbox limit and the SMTP-AUTH/APOP
// flag are kept on the account.
#include <memory>

#include "dirmail/directory/local_directory.hpp"
#include "dirmail/migration/account_target.hpp"

namespace dirmail::migration {

// `directory` must outlive the target.
std::unique_ptr<AccountTarget> make_local_account_target(directory::LocalDirectory& directory, std::string path);

}  // namespace dirmail::migration
