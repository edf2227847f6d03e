#pragma once
// How often a query that failed temporarily (no directory server answered) is tried
// again, and how long to wait in between: the original's ADRetryMSec x ADRetryTime.
// Every failed attempt is followed by a wait, so the longest a client waits is
// interval x attempts, as the original documents (1000 ms x 10 = 10 s).
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace dirmail {

struct RetrySchedule {
  std::chrono::milliseconds interval{1000};
  int attempts = 10;  // at least 1
  bool exponential = false;
  static constexpr std::chrono::milliseconds max_wait{60000};

  // The wait after failed attempt number `attempt` (1-based).
  std::chrono::milliseconds wait_after(int attempt) const {
    if (!exponential || attempt <= 1) return interval;
    auto wait = interval;
    for (int i = 1; i < attempt && wait < max_wait; ++i) wait *= 2;
    return std::min(wait, std::max(interval, max_wait));
  }
};

}  // namespace dirmail
