#include "dirmail/directory/dc_health.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

using namespace std::chrono_literals;
using Clock = DcHealthTable::Clock;
using Order = std::vector<std::size_t>;

const Clock::time_point t0 = Clock::time_point{} + 1000h;

DcHealthTable two_dcs(std::chrono::seconds failback = 60s) {
  return DcHealthTable({"ldaps://dc1", "ldaps://dc2"}, failback);
}

TEST(DcHealthTable, PreferredFirstWhileAllAreHealthy) {
  auto t = two_dcs();
  EXPECT_EQ(t.order(t0), (Order{0, 1}));
  t.record_success(0, 5ms, t0);
  EXPECT_EQ(t.active(), 0u);
  EXPECT_EQ(t.order(t0), (Order{0, 1}));
}

TEST(DcHealthTable, FailoverSkipsTheFailedDcAndReportsItOnce) {
  auto t = two_dcs();
  t.record_success(0, 5ms, t0);
  auto first = t.record_failure(0, "connection refused", t0 + 1s);
  EXPECT_TRUE(first.went_down);
  EXPECT_FALSE(first.outage_started);
  auto again = t.record_failure(0, "connection refused", t0 + 2s);
  EXPECT_FALSE(again.went_down);
  EXPECT_EQ(t.order(t0 + 2s), (Order{1}));
  auto moved = t.record_success(1, 7ms, t0 + 2s);
  EXPECT_TRUE(moved.active_changed);
  EXPECT_EQ(t.active(), 1u);
}

TEST(DcHealthTable, FailbackOnlyAfterThePreferredDcStayedHealthy) {
  auto t = two_dcs(60s);
  t.record_success(0, 5ms, t0);
  t.record_failure(0, "timeout", t0 + 1s);
  t.record_success(1, 5ms, t0 + 1s);
  // A probe sees dc1 again at t0+10s: traffic stays on dc2 meanwhile.
  auto back = t.record_success(0, 5ms, t0 + 10s, /*request=*/false);
  EXPECT_TRUE(back.came_back);
  EXPECT_FALSE(back.active_changed);
  EXPECT_EQ(t.order(t0 + 30s), (Order{1, 0}));
  EXPECT_EQ(t.order(t0 + 69s), (Order{1, 0}));
  // 60 s of health later, dc1 comes first again and the next request fails back.
  EXPECT_EQ(t.order(t0 + 70s), (Order{0, 1}));
  auto failback = t.record_success(0, 5ms, t0 + 70s);
  EXPECT_TRUE(failback.active_changed);
  EXPECT_EQ(t.active(), 0u);
}

TEST(DcHealthTable, AFlappingPreferredDcRestartsItsFailbackWait) {
  auto t = two_dcs(60s);
  t.record_success(0, 5ms, t0);
  t.record_failure(0, "timeout", t0);
  t.record_success(1, 5ms, t0);
  t.record_success(0, 5ms, t0 + 10s, false);
  t.record_failure(0, "timeout", t0 + 50s, false);
  t.record_success(0, 5ms, t0 + 60s, false);
  EXPECT_EQ(t.order(t0 + 100s), (Order{1, 0}));
  EXPECT_EQ(t.order(t0 + 120s), (Order{0, 1}));
}

TEST(DcHealthTable, OutageStartsOnceAndEndsWhenAnyDcAnswers) {
  auto t = two_dcs();
  EXPECT_FALSE(t.record_failure(0, "refused", t0).outage_started);
  auto down = t.record_failure(1, "refused", t0 + 1s);
  EXPECT_TRUE(down.outage_started);
  EXPECT_TRUE(t.in_outage());
  EXPECT_FALSE(t.record_failure(1, "refused", t0 + 2s).outage_started);
  // With every DC failed, every DC is tried, preferred first, but a burst of
  // requests does not each wait for them: once per second at most.
  EXPECT_EQ(t.order(t0 + 2s), (Order{0, 1}));
  EXPECT_EQ(t.order(t0 + 2s + 500ms), (Order{}));
  EXPECT_EQ(t.order(t0 + 3s), (Order{0, 1}));
  auto up = t.record_success(1, 5ms, t0 + 31s);
  EXPECT_TRUE(up.outage_ended);
  EXPECT_EQ(up.outage_length, 30s);
  EXPECT_FALSE(t.in_outage());
}

TEST(DcHealthTable, ProbesEveryDcButTheActiveOne) {
  auto t = two_dcs();
  EXPECT_EQ(t.probe_targets(), (Order{0, 1}));
  t.record_success(0, 5ms, t0);
  EXPECT_EQ(t.probe_targets(), (Order{1}));
  t.record_failure(0, "timeout", t0);
  EXPECT_EQ(t.probe_targets(), (Order{0, 1}));
}

TEST(DcHealthTable, StatusNamesTheActiveAndPreferredDcs) {
  auto t = two_dcs();
  t.record_failure(0, "connection refused", t0);
  t.record_success(1, 12ms, t0);
  auto s = t.status(t0 + 5s);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[0].preferred);
  EXPECT_FALSE(s[0].healthy);
  EXPECT_EQ(s[0].last_error, "connection refused");
  EXPECT_EQ(s[0].state_age, 5s);
  EXPECT_FALSE(s[1].preferred);
  EXPECT_TRUE(s[1].active);
  EXPECT_EQ(s[1].last_latency, 12ms);
  EXPECT_EQ(s[1].requests, 1u);
}

}  // namespace
}  // namespace dirmail::directory
