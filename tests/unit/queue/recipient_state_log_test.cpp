#include "dirmail/queue/recipient_state_log.hpp"

#include <gtest/gtest.h>

namespace dirmail::queue {
namespace {

TEST(RecipientStateLog, ReplaysLinesAndLaterLinesWin) {
  std::string log = format_recipient_state_line(0, RecipientState::failed, "451 try later") +
                    format_recipient_state_line(2, RecipientState::delivered, "250 ok") +
                    format_recipient_state_line(0, RecipientState::delivered, "250 accepted");
  auto states = parse_recipient_state_log(log, 3);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->states, (std::vector<RecipientState>{RecipientState::delivered, RecipientState::pending,
                                                         RecipientState::delivered}));
  EXPECT_EQ(states->reasons[0], "250 accepted");
  EXPECT_EQ(states->reasons[1], "");
}

TEST(RecipientStateLog, TornLastLineIsIgnored) {
  std::string log = format_recipient_state_line(0, RecipientState::delivered, "ok") + "1 deliv";
  auto states = parse_recipient_state_log(log, 2);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->states[0], RecipientState::delivered);
  EXPECT_EQ(states->states[1], RecipientState::pending);
}

TEST(RecipientStateLog, BadLinesAreSkipped) {
  std::string log = "7 delivered out of range\nx delivered\n0 exploded\n-1 failed\n1 failed 550 no such user\n\n";
  auto states = parse_recipient_state_log(log, 2);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->states[0], RecipientState::pending);
  EXPECT_EQ(states->states[1], RecipientState::failed);
  EXPECT_EQ(states->reasons[1], "550 no such user");
}

TEST(RecipientStateLog, ReasonIsSanitisedAndBounded) {
  std::string line = format_recipient_state_line(1, RecipientState::failed, std::string("bad\r\nreason\0x", 13) + std::string(2000, 'r'));
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_LE(line.size(), kMaxStateReasonBytes + 20);
  auto states = parse_recipient_state_log(line, 2);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->states[1], RecipientState::failed);
  EXPECT_EQ(states->reasons[1].substr(0, 11), "bad  reason");
}

TEST(RecipientStateLog, OversizedLogIsRefused) {
  std::string log(kMaxStateLogBytes + 1, '\n');
  EXPECT_EQ(parse_recipient_state_log(log, 1).error().code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::queue
