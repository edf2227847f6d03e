#pragma once
// The open sessions of the daemon, so that SIGTERM can ask each of them to finish
// (an idle session closes at once; one inside a mail transaction finishes it first).
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "dirmail/net/asio.hpp"

namespace dirmail::net {

class SessionSet {
 public:
  using StopFn = std::function<void()>;

  // Registration lasts as long as the returned handle.
  class Handle {
   public:
    Handle(SessionSet* set, std::uint64_t id) : set_(set), id_(id) {}
    Handle(Handle&& o) noexcept : set_(o.set_), id_(o.id_) { o.set_ = nullptr; }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
      if (set_) set_->remove(id_);
    }

   private:
    SessionSet* set_;
    std::uint64_t id_;
  };

  // `stop` runs on `executor` (the session's own thread) when stop_all() is called.
  Handle add(asio::any_io_executor executor, StopFn stop);
  // Shutdown: stops every session, and every session added from now on.
  void stop_all();
  // Stops the sessions open now; later ones run normally (a cluster node that leaves
  // the active state, and may be made active again).
  void stop_current();
  std::size_t size() const;

 private:
  void remove(std::uint64_t id);
  void run_stop(std::uint64_t id);
  struct Entry {
    asio::any_io_executor executor;
    StopFn stop;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 0;
  bool stopping_ = false;
};

}  // namespace dirmail::net
