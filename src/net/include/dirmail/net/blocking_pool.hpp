#pragma once
// Blocking work (fsync, SQLite, LDAP, SMB) runs on a bounded pool, never on an I/O
// thread: `auto r = co_await pool.run([&] { return queue.commit(); });`
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/post.hpp>

#include "dirmail/net/asio.hpp"

namespace dirmail::net {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  ~BlockingPool() { pool_.join(); }

  // Runs f() on the pool and resumes the caller on its own executor with the result.
  // GCC 12 destroys a temporary with a non-trivial destructor inside a co_await
  // expression twice: pass a named lambda when it captures strings or other owners,
  //   auto lookup = [dir, address] { ... };  co_await pool.run(lookup);
  template <typename F>
  auto run(F&& f) -> awaitable<std::invoke_result_t<std::decay_t<F>&>> {
    using Fn = std::decay_t<F>;
    using R = std::invoke_result_t<Fn&>;
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(R)>(
        [this](auto handler, Fn fn) {
          auto home = asio::get_associated_executor(handler);
          asio::post(pool_, [handler = std::move(handler), fn = std::move(fn), home]() mutable {
            R r = fn();
            asio::post(home, [handler = std::move(handler), r = std::move(r)]() mutable {
              std::move(handler)(std::move(r));
            });
          });
        },
        use_awaitable, Fn(std::forward<F>(f)));
  }

  void stop() { pool_.stop(); }
  void join() { pool_.join(); }

 private:
  asio::thread_pool pool_;
};

}  // namespace dirmail::net
