#include "dirmail/net/session_set.hpp"

#include <boost/asio/post.hpp>

namespace dirmail::net {

SessionSet::Handle SessionSet::add(asio::any_io_executor executor, StopFn stop) {
  std::lock_guard lock(mu_);
  auto id = next_id_++;
  if (stopping_) asio::post(executor, stop);  // born during shutdown: stop at once
  entries_.emplace(id, Entry{std::move(executor), std::move(stop)});
  return Handle(this, id);
}

void SessionSet::stop_all() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  for (auto& [id, e] : entries_) asio::post(e.executor, e.stop);
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
