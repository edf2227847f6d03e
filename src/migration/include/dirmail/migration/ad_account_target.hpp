#pragma once
// Active Directory as the importer's target (spec active-directory-guide.md §22.7):
// a user is created as CN=<account> in the user container with sAMAccountName,
// userPrincipalName, displayName and homeDirectory, disabled (userAccountControl 514)
// until its password (unicodePwd, over an encrypted connection only) is set, then
// enabled (512) and added to the mail-users group and its mail domain's group; a
// password the domain's policy refuses deletes the half-made user again and is
// reported with the original's message (account_target.hpp). Users it creates carry
// the importer's mark in `info` ("dirmail-import: <origin>"), so a run cut short is
// completed by the next one.
//
// A user's mail domains are the groups it is a direct member of whose sAMAccountName
// is a DNS name with a dot (a mail domain group is named after its domain, spec §16),
// other than the mail-users group; list() gives the first of them in name order, or a
// blank domain (spec §16, T14). Mail users are the mail-users group's members, nested
// ones included (AD's in-chain rule). One connection, used by one thread at a time;
// every call blocks, each request bounded by connection.operation_timeout.
//
// The row's domain chooses a group the new user joins, so it must be a mail domain's
// name and its group one that grants nothing: a domain naming a builtin or protected
// group (Administrators, Domain Admins, adminCount 1, isCriticalSystemObject) is
// refused by check_row, has_domain, create, complete and create_domain.
#include <cstdint>
#include <memory>
#include <string>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/ldap_connection.hpp"
#include "dirmail/migration/account_target.hpp"

namespace dirmail::migration {

struct AdTargetOptions {
  // The administrator's bind: LDAPS, or ldap:// with start_tls (AD sets unicodePwd only
  // over an encrypted connection). Never the service account: it must not write.
  directory::LdapConnectionOptions connection;
  std::string base_dn;             // the domain: DC=corp,DC=example,DC=test; empty: the rootDSE's defaultNamingContext
  std::string user_container;      // where new users go; empty: CN=Users,<base_dn>
  std::string group_container;     // where new mail domain groups go; empty: the user container
  std::string mail_users_group;    // directory.mail_users_group (IMSUsers)
  std::string upn_suffix;          // empty: the DNS name of base_dn (corp.example.test)
  std::string mailbox_limit_attribute;  // directory.mailbox_limit_attribute; empty: limits not kept
};

// Connects and binds; checks that the containers exist (not_found naming one that does
// not), finds the mail-users group (not_found naming it when AD has none: the importer
// does not create it) and reads the domain's password policy (minPwdLength,
// pwdProperties) for check_password(). invalid_argument for a connection that is not
// encrypted (ldaps://, or ldap:// with start_tls) or a missing base DN or group name.
Result<std::unique_ptr<AccountTarget>> open_ad_account_target(const AdTargetOptions& options);

}  // namespace dirmail::migration
