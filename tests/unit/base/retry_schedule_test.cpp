#include "dirmail/base/retry_schedule.hpp"

#include <gtest/gtest.h>

namespace dirmail {
namespace {

using namespace std::chrono_literals;

TEST(RetrySchedule, FixedWaitsAreTheInterval) {
  RetrySchedule r{300ms, 20, false};
  for (int attempt = 1; attempt <= 20; ++attempt) EXPECT_EQ(r.wait_after(attempt), 300ms);
}

TEST(RetrySchedule, ExponentialWaitsDoubleUpToTheCap) {
  RetrySchedule r{1000ms, 10, true};
  EXPECT_EQ(r.wait_after(1), 1000ms);
  EXPECT_EQ(r.wait_after(2), 2000ms);
  EXPECT_EQ(r.wait_after(3), 4000ms);
  EXPECT_EQ(r.wait_after(7), 60000ms);
  EXPECT_EQ(r.wait_after(1000), 60000ms);
}

}  // namespace
}  // namespace dirmail
