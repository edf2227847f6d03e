// How the Active Directory target reports a refused write: the kinds the importer's
// report groups by, from AD's result code and diagnostic message.
#include "../../../src/migration/ad_write_failure.hpp"

#include <gtest/gtest.h>

namespace dirmail::migration {
namespace {

using directory::LdapWriteResult;

// A refusal as LdapConnection makes it: the error code from the result code table.
LdapWriteResult refusal(ErrorCode code, int result_code, std::string diagnostic) {
  Error error = make_error(code, "ldaps://dc1: write refused: (" + diagnostic + ")");
  return LdapWriteResult(std::move(error), result_code, std::move(diagnostic));
}

TEST(AdWriteFailure, ThePasswordPolicyGivesTheOriginalsMessage) {
  auto f = target_failure_of(refusal(
      ErrorCode::invalid_argument, 19,
      "0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity "
      "criteria!"));
  EXPECT_EQ(f.kind, TargetFailureKind::password_policy);
  EXPECT_EQ(f.message, password_policy_message);
  f = target_failure_of(
      refusal(ErrorCode::permission_denied, 53, "0000052D: SvcErr: DSID-031A12D2, problem 5003 (WILL_NOT_PERFORM)"));
  EXPECT_EQ(f.kind, TargetFailureKind::password_policy);
}

TEST(AdWriteFailure, OtherRefusalsKeepTheServersMessage) {
  auto f = target_failure_of(refusal(ErrorCode::already_exists, 68, "00000524: UpdErr: DSID-031A11E2, problem 6005"));
  EXPECT_EQ(f.kind, TargetFailureKind::already_exists);
  EXPECT_EQ(f.message, "ldaps://dc1: write refused: (00000524: UpdErr: DSID-031A11E2, problem 6005)");
  // unwillingToPerform without 52D: AD refuses the values, not our rights.
  f = target_failure_of(refusal(ErrorCode::permission_denied, 53, "0000001F: SvcErr: DSID-031A12D2, problem 5003"));
  EXPECT_EQ(f.kind, TargetFailureKind::refused);
  f = target_failure_of(refusal(ErrorCode::permission_denied, 50, "00002098: SecErr: DSID-03150F94, problem 4003"));
  EXPECT_EQ(f.kind, TargetFailureKind::permission);
  f = target_failure_of(refusal(ErrorCode::invalid_argument, 19, "00002082: AtrErr: DSID-03151904"));
  EXPECT_EQ(f.kind, TargetFailureKind::refused);
  f = target_failure_of(refusal(ErrorCode::protocol_error, 80, "other"));
  EXPECT_EQ(f.kind, TargetFailureKind::other);
}

TEST(AdWriteFailure, ADcThatIsDownOrSilentIsUnavailable) {
  EXPECT_EQ(target_failure_of(refusal(ErrorCode::temporary_failure, -1, "")).kind, TargetFailureKind::unavailable);
  EXPECT_EQ(target_failure_of(refusal(ErrorCode::temporary_failure, -5, "")).kind, TargetFailureKind::unavailable);
  EXPECT_EQ(target_failure_of(refusal(ErrorCode::temporary_failure, 51, "busy")).kind, TargetFailureKind::unavailable);
  EXPECT_EQ(target_failure_of(make_error(ErrorCode::temporary_failure, "down")).kind, TargetFailureKind::unavailable);
  EXPECT_EQ(target_failure_of(make_error(ErrorCode::not_found, "gone")).kind, TargetFailureKind::refused);
}

}  // namespace
}  // namespace dirmail::migration
