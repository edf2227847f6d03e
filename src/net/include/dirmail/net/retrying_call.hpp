#pragma once
// A blocking call (a directory lookup) run on the blocking pool and retried while it
// fails temporarily, with the waits on a timer of the caller's executor: a session
// waiting for a domain controller never holds an I/O thread or a pool thread.
#include <chrono>
#include <type_traits>

#include "dirmail/base/result.hpp"
#include "dirmail/base/retry_schedule.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/pause.hpp"

namespace dirmail::net {

// True for errors worth another attempt: the directory could not answer.
inline bool retryable(const Error& error) { return error.code == ErrorCode::temporary_failure; }

// f() returns Result<T>; pass a named lambda (see BlockingPool::run).
template <typename F>
auto run_with_retry(BlockingPool& pool, const RetrySchedule& schedule, F& f)
    -> awaitable<std::invoke_result_t<F&>> {
  const int attempts = schedule.attempts < 1 ? 1 : schedule.attempts;
  for (int attempt = 1;; ++attempt) {
    auto result = co_await pool.run(f);
    if (result.ok() || !retryable(result.error())) co_return result;
    co_await pause(schedule.wait_after(attempt));
    if (attempt >= attempts) co_return result;
  }
}

}  // namespace dirmail::net
