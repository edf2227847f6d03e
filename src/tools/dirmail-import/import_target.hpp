#pragma once
// The account target dirmail-import writes to, from the settings and the command line:
// Active Directory (directory.backend = ad, or --target ad) over LDAPS or StartTLS
// with the administrator's bind, or the embedded local directory.
#include <iosfwd>
#include <memory>
#include <set>
#include <string>

#include "command_words.hpp"
#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/directory/local_directory.hpp"
#include "dirmail/migration/account_target.hpp"

namespace dirmail::import_tool {

// The options that choose and reach the target (import and export share them).
inline constexpr const char* target_usage =
    "  --target ad|local          where accounts go (default: directory.backend)\n"
    "  --server URI               the DC (default: the first of directory.servers); ldaps://,\n"
    "                             or ldap:// with directory.start_tls\n"
    "  --admin NAME               the administrator who may create users (DN, UPN or DOMAIN\\name)\n"
    "  --admin-password-file F    the administrator's password (first line); else\n"
    "  --admin-password-stdin     one line of standard input; else asked at the terminal\n"
    "  --user-container DN        where new users go (default CN=Users,<directory.base_dn>)\n"
    "  --group-container DN       where new mail domain groups go (default: the user container)\n";

struct OpenedTarget {
  std::unique_ptr<directory::LocalDirectory> local;  // the local target's database
  std::unique_ptr<migration::AccountTarget> target;
  bool keeps_mailbox_limits = true;
};

// The value and flag options the target takes, for parse_words.
void add_target_options(std::set<std::string>& values, std::set<std::string>& flags);

// `dry_run`: nothing is created (a local database that does not exist yet is read as an
// empty one).
Result<OpenedTarget> open_target(const config::Settings& settings, const ctl::Words& words, bool dry_run,
                                 std::ostream& err);

}  // namespace dirmail::import_tool
