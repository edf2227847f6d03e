#include "ad_write_failure.hpp"

#include "ad_password.hpp"

namespace dirmail::migration {
namespace {

constexpr int ldap_insufficient_access = 50;
constexpr int ldap_unwilling_to_perform = 53;

}  // namespace

TargetFailure target_failure_of(const Error& error) {
  TargetFailureKind kind = TargetFailureKind::other;
  switch (error.code) {
    case ErrorCode::already_exists: kind = TargetFailureKind::already_exists; break;
    case ErrorCode::permission_denied: kind = TargetFailureKind::permission; break;
    case ErrorCode::invalid_argument:
    case ErrorCode::not_found:
    case ErrorCode::limit_exceeded: kind = TargetFailureKind::refused; break;
    default: kind = error.temporary() ? TargetFailureKind::unavailable : TargetFailureKind::other; break;
  }
  return TargetFailure{kind, error.message};
}

TargetFailure target_failure_of(const directory::LdapWriteResult& write) {
  if (is_password_policy_refusal(write.result_code(), write.diagnostic()))
    return TargetFailure{TargetFailureKind::password_policy, std::string(password_policy_message)};
  TargetFailure failure = target_failure_of(write.error());
  // unwillingToPerform (which the result code table counts as a refusal of us) is AD
  // refusing the request's values.
  if (write.result_code() == ldap_unwilling_to_perform) failure.kind = TargetFailureKind::refused;
  if (write.result_code() == ldap_insufficient_access) failure.kind = TargetFailureKind::permission;
  return failure;
}

}  // namespace dirmail::migration
