#include "dirmail/delivery/session_cache.hpp"

#include <vector>

#include <fmt/format.h>

namespace dirmail::delivery {

std::string session_key(const net::tcp::endpoint& peer, const std::string& peer_name, const SmtpClientOptions& o) {
  std::string auth = o.auth ? o.auth->user + "/" + o.auth->mechanism : std::string();
  // The CA set by identity: a reload that loads another one starts new sessions.
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", peer.address().to_string(), peer.port(), peer_name,
                     static_cast<int>(o.tls), o.verify_implicit_tls, o.tls_server_name,
                     static_cast<const void*>(o.tls_context.get()), auth, o.helo_name);
}

SessionCache::SessionCache(SessionCacheLimits limits) : limits_(limits) {
  sweeper_ = std::thread([this] { sweep(); });
}

SessionCache::~SessionCache() {
  std::multimap<std::string, Idle> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    left.swap(idle_);
  }
  cv_.notify_all();
  sweeper_.join();
  for (auto& [key, idle] : left) close(*idle.session);
}

void SessionCache::close(OutboundSession& session) {
  run_session_task(*session.io, [](SmtpClient& c) -> net::awaitable<bool> {
    co_await c.quit();
    co_return true;
  }(*session.client));
}

std::unique_ptr<OutboundSession> SessionCache::take(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto session = std::move(it->second.session);
  idle_.erase(it);
  return session;
}

void SessionCache::put(const std::string& key, std::unique_ptr<OutboundSession> session) {
  if (!session) return;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    const bool keep = !stopping_ && session->client->ready() && limits_.idle.count() > 0 &&
                      session->messages < limits_.max_messages && now - session->opened < limits_.max_age &&
                      idle_.size() < limits_.max_sessions;
    if (keep) {
      idle_.emplace(key, Idle{std::move(session), now});
      cv_.notify_all();
      return;
    }
  }
  close(*session);
}

void SessionCache::set_limits(SessionCacheLimits limits) {
  {
    std::lock_guard lock(mu_);
    limits_ = limits;
  }
  cv_.notify_all();
}

std::size_t SessionCache::idle_sessions() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

void SessionCache::sweep() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<OutboundSession>> expired;
    auto next = now + std::chrono::hours(1);
    for (auto it = idle_.begin(); it != idle_.end();) {
      const auto deadline = it->second.since + limits_.idle;
      if (deadline <= now) {
        expired.push_back(std::move(it->second.session));
        it = idle_.erase(it);
      } else {
        next = std::min(next, deadline);
        ++it;
      }
    }
    if (!expired.empty()) {
      lock.unlock();
      for (auto& s : expired) close(*s);  // QUIT outside the lock: takers go on meanwhile
      lock.lock();
      continue;
    }
    cv_.wait_until(lock, next);
  }
}

}  // namespace dirmail::delivery
