#pragma once
// Open SMTP sessions kept between messages, so that one connection carries several
// messages to the same peer (as Postfix's connection cache does): the delivery thread
// that finished a message parks its session here, and the next message for the same
// peer, with the same TLS and AUTH options, takes it instead of connecting again.
// A session idle longer than `idle` is closed with QUIT by the cache's own thread; one
// that has carried `max_messages` messages or is older than `max_age` is not kept.
//
// Each session owns the io_context it runs on, so that whichever delivery thread takes
// it can run it (one thread at a time: a taken session belongs to its taker).
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "dirmail/delivery/smtp_client.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::delivery {

struct OutboundSession {
  std::unique_ptr<net::asio::io_context> io;
  std::unique_ptr<SmtpClient> client;
  std::size_t messages = 0;  // transactions sent on this connection
  std::chrono::steady_clock::time_point opened;
};

// Runs `task` on the session's io_context until it is done. nullopt when it threw.
template <typename T>
std::optional<T> run_session_task(net::asio::io_context& io, net::awaitable<T> task) {
  std::optional<T> out;
  io.restart();
  net::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (!e) out = std::move(value);
  });
  io.run();
  return out;
}

struct SessionCacheLimits {
  std::chrono::steady_clock::duration idle = std::chrono::seconds(2);  // 0: no session is kept
  std::size_t max_messages = 100;                                     // per connection
  std::chrono::steady_clock::duration max_age = std::chrono::minutes(5);
  std::size_t max_sessions = 200;  // idle sessions kept at once
};

// The cache key: the same peer address, name and client options (TLS, AUTH, EHLO name).
std::string session_key(const net::tcp::endpoint& peer, const std::string& peer_name, const SmtpClientOptions& options);

class SessionCache {
 public:
  explicit SessionCache(SessionCacheLimits limits = {});
  ~SessionCache();  // QUITs every idle session
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  // An idle session for `key`, or null.
  std::unique_ptr<OutboundSession> take(const std::string& key);
  // Keeps a session that is still ready for another message; QUITs it otherwise.
  void put(const std::string& key, std::unique_ptr<OutboundSession> session);
  void set_limits(SessionCacheLimits limits);
  std::size_t idle_sessions() const;

 private:
  struct Idle {
    std::unique_ptr<OutboundSession> session;
    std::chrono::steady_clock::time_point since;
  };
  void sweep();
  static void close(OutboundSession& session);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  SessionCacheLimits limits_;
  std::multimap<std::string, Idle> idle_;
  bool stopping_ = false;
  std::thread sweeper_;
};

}  // namespace dirmail::delivery
