#include "dirmail/delivery/delivery_outcome.hpp"

#include <gtest/gtest.h>

namespace dirmail::delivery {
namespace {

TEST(DeliveryOutcome, RepliesByClass) {
  EXPECT_EQ(classify_reply(250), DeliveryOutcome::delivered);
  EXPECT_EQ(classify_reply(251), DeliveryOutcome::delivered);
  EXPECT_EQ(classify_reply(421), DeliveryOutcome::temporary);
  EXPECT_EQ(classify_reply(450), DeliveryOutcome::temporary);
  EXPECT_EQ(classify_reply(452), DeliveryOutcome::temporary);
  EXPECT_EQ(classify_reply(550), DeliveryOutcome::permanent);
  EXPECT_EQ(classify_reply(554), DeliveryOutcome::permanent);
  EXPECT_EQ(classify_reply(354), DeliveryOutcome::temporary);  // out of place: not final
}

TEST(DeliveryOutcome, NoConnectionIsAnUnreachableHost) {
  for (auto code : {ErrorCode::io_error, ErrorCode::cancelled, ErrorCode::not_found})
    EXPECT_EQ(classify_failure(SmtpStage::connect, code), DeliveryOutcome::host_unreachable);
}

TEST(DeliveryOutcome, FailuresAfterConnectingAreLineFaults) {
  for (auto stage : {SmtpStage::tls, SmtpStage::greeting, SmtpStage::ehlo, SmtpStage::mail, SmtpStage::rcpt,
                     SmtpStage::data, SmtpStage::message, SmtpStage::data_end})
    for (auto code : {ErrorCode::io_error, ErrorCode::cancelled, ErrorCode::not_found, ErrorCode::protocol_error,
                      ErrorCode::limit_exceeded})
      EXPECT_EQ(classify_failure(stage, code), DeliveryOutcome::line_fault) << to_string(stage);
}

TEST(DeliveryOutcome, PolicyAndLocalFailuresAreTemporary) {
  EXPECT_EQ(classify_failure(SmtpStage::starttls, ErrorCode::permission_denied), DeliveryOutcome::line_fault);
  EXPECT_EQ(classify_failure(SmtpStage::tls, ErrorCode::permission_denied), DeliveryOutcome::line_fault);
  EXPECT_EQ(classify_failure(SmtpStage::message, ErrorCode::temporary_failure), DeliveryOutcome::temporary);
  EXPECT_EQ(classify_failure(SmtpStage::connect, ErrorCode::internal), DeliveryOutcome::temporary);
}

TEST(DeliveryOutcome, DescribeNamesReplyOrReasonAndStage) {
  DeliveryResult refused{DeliveryOutcome::permanent, SmtpStage::rcpt, SmtpReply{550, "5.1.1", {"5.1.1 unknown"}}, {}};
  EXPECT_EQ(refused.describe(), "550 5.1.1 unknown (at rcpt)");
  DeliveryResult dropped{DeliveryOutcome::line_fault, SmtpStage::data_end, std::nullopt, "connection closed by the peer"};
  EXPECT_EQ(dropped.describe(), "line_fault: connection closed by the peer (at data_end)");
}

}  // namespace
}  // namespace dirmail::delivery
