#pragma once
#include <chrono>

#include "dirmail/net/asio.hpp"

namespace dirmail::net {

// Suspends the calling session, e.g. to slow down password guessing after a failure.
inline awaitable<void> pause(std::chrono::steady_clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
}

}  // namespace dirmail::net
