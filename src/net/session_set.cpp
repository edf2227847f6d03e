#include "dirmail/net/session_set.hpp"

#include <boost/asio/post.hpp>

namespace dirmail::net {

SessionSet::Handle SessionSet::add(asio::any_io_executor executor, StopFn stop) {
  std::lock_guard lock(mu_);
  auto id = next_id_++;
  if (stopping_) asio::post(executor, [this, id] { run_stop(id); });  // born during shutdown
  entries_.emplace(id, Entry{std::move(executor), std::move(stop)});
  return Handle(this, id);
}

void SessionSet::stop_all() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  for (auto& [id, e] : entries_) asio::post(e.executor, [this, id = id] { run_stop(id); });
}

void SessionSet::stop_current() {
  std::lock_guard lock(mu_);
  for (auto& [id, e] : entries_) asio::post(e.executor, [this, id = id] { run_stop(id); });
}

// Runs on the session's own thread, so the session cannot end between the look-up and
// the call; a session that ended before this ran is simply no longer registered.
void SessionSet::run_stop(std::uint64_t id) {
  StopFn stop;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    stop = it->second.stop;
  }
  stop();
}

std::size_t SessionSet::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SessionSet::remove(std::uint64_t id) {
  std::lock_guard lock(mu_);
  entries_.erase(id);
}

}  // namespace dirmail::net
