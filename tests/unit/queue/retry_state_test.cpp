#include "dirmail/queue/retry_state.hpp"

#include <gtest/gtest.h>

#include "dirmail/queue/recipient_state_log.hpp"

namespace dirmail::queue {
namespace {

RetryState sample() {
  RetryState s;
  s.first_attempt_at = 1'700'000'000;
  s.next_attempt_at = 1'700'000'240;
  s.attempts = 3;
  s.refusals = 2;
  s.line_fault_since = 1'700'000'120;
  s.last_error = "451 4.3.0 try again (at rcpt)";
  return s;
}

TEST(RetryState, LineFormat) {
  EXPECT_EQ(format_retry_state_line(4, sample()),
            "4 retry first=1700000000 next=1700000240 attempts=3 refusals=2 line_fault_since=1700000120 "
            "last=451 4.3.0 try again (at rcpt)\n");
}

TEST(RetryState, RoundTripsThroughTheStateLog) {
  RetryState s = sample();
  s.unreachable_since = 1'700'000'060;
  std::string log = format_recipient_state_line(0, RecipientState::delivered, "250 ok") +
                    format_retry_state_line(1, s);
  auto states = parse_recipient_state_log(log, 2);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->states[1], RecipientState::pending);  // a retry line leaves the recipient pending
  ASSERT_TRUE(states->retries[1].has_value());
  EXPECT_EQ(*states->retries[1], s);
  EXPECT_FALSE(states->retries[0].has_value());
}

TEST(RetryState, DelayNoticeTimeRoundTripsAndOlderLinesHaveNone) {
  RetryState s = sample();
  s.delay_notified_at = 1'700'014'400;
  const std::string line = format_retry_state_line(2, s);
  EXPECT_NE(line.find(" delay_notified=1700014400 last="), std::string::npos) << line;
  auto states = parse_recipient_state_log(line, 3);
  ASSERT_TRUE(states.ok());
  ASSERT_TRUE(states->retries[2].has_value());
  EXPECT_EQ(*states->retries[2], s);
  // A line written before the key existed: no notice yet.
  auto older = parse_retry_state_fields("first=1 next=2 attempts=1 refusals=1 last=451 busy");
  ASSERT_TRUE(older);
  EXPECT_EQ(older->delay_notified_at, 0);
  // Never notified: the key is not written at all.
  EXPECT_EQ(format_retry_state_line(0, sample()).find("delay_notified"), std::string::npos);
  EXPECT_FALSE(parse_retry_state_fields("first=1 next=2 delay_notified=soon last=").has_value());
}

TEST(RetryState, LaterLineWinsAndAnOutcomeEndsTheHistory) {
  RetryState first = sample();
  RetryState second = sample();
  second.attempts = 4;
  second.refusals = 3;
  std::string log = format_retry_state_line(0, first) + format_retry_state_line(1, first) +
                    format_retry_state_line(0, second) +
                    format_recipient_state_line(1, RecipientState::failed, "4.4.7 gave up");
  auto states = parse_recipient_state_log(log, 2);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(*states->retries[0], second);
  EXPECT_FALSE(states->retries[1].has_value());
  EXPECT_EQ(states->states[1], RecipientState::failed);
}

TEST(RetryState, ControlCharactersInTheLastErrorBecomeSpaces) {
  RetryState s = sample();
  s.last_error = "line one\r\nline two\x7f";
  auto states = parse_recipient_state_log(format_retry_state_line(0, s), 1);
  ASSERT_TRUE(states.ok());
  ASSERT_TRUE(states->retries[0]);
  EXPECT_EQ(states->retries[0]->last_error, "line one  line two ");
}

TEST(RetryState, UnknownKeysAreSkippedAndOptionalKeysDefault) {
  auto s = parse_retry_state_fields("first=10 future=x next=20 last=");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->first_attempt_at, 10);
  EXPECT_EQ(s->next_attempt_at, 20);
  EXPECT_EQ(s->attempts, 0u);
  EXPECT_EQ(s->line_fault_since, 0);
  EXPECT_EQ(s->last_error, "");
  // Key order does not matter; the last text may hold '=' and spaces.
  auto t = parse_retry_state_fields("next=5 first=1 attempts=2 last=a=b c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->attempts, 2u);
  EXPECT_EQ(t->last_error, "a=b c");
}

TEST(RetryState, DamagedFieldsAreRejected) {
  for (const std::string& bad : std::vector<std::string>{"", "first=1", "next=1", "first=x next=1", "first=1 next=-5", "first=1 next=2 attempts=99999999999",
                          "first=1 next=2 garbage", "first=1 next=2 =3", "first=1  next=2",
                          "first=1 next=2 last=" + std::string(1001, 'x')}) {
    EXPECT_FALSE(parse_retry_state_fields(bad).has_value()) << bad;
  }
}

TEST(RetryState, RetryLinesDoNotChangeOutcomes) {
  // Outcomes replay as without the retry lines (which readers before them skip as unknown).
  std::string log = format_retry_state_line(0, sample()) +
                    format_recipient_state_line(1, RecipientState::delivered, "250 ok");
  auto states = parse_recipient_state_log(log, 2);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->states, (std::vector<RecipientState>{RecipientState::pending, RecipientState::delivered}));
  EXPECT_EQ(states->reasons[0], "");
}

TEST(RetryState, TornRetryLineIsIgnored) {
  std::string line = format_retry_state_line(0, sample());
  auto states = parse_recipient_state_log(line.substr(0, line.size() - 1), 1);
  ASSERT_TRUE(states.ok());
  EXPECT_FALSE(states->retries[0].has_value());
}

}  // namespace
}  // namespace dirmail::queue
