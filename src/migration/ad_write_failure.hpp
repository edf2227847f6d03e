#pragma once
// How the Active Directory target reports a write AD refused, as the importer's report
// groups it (TargetFailureKind). Private to the migration library.
#include "dirmail/directory/ldap_connection.hpp"
#include "dirmail/migration/account_target.hpp"

namespace dirmail::migration {

// From the write's error code, refined by AD's own answer: the domain's password
// policy (constraintViolation or unwillingToPerform with 0000052D) is password_policy
// with the original's message (spec §11); other unwillingToPerform answers are AD
// refusing the values (refused), insufficientAccessRights is permission; a DC that is
// down, busy or silent is unavailable. Messages never hold a value that was written.
TargetFailure target_failure_of(const directory::LdapWriteResult& write);

// A search or other request that failed, by its error code alone.
TargetFailure target_failure_of(const Error& error);

}  // namespace dirmail::migration
