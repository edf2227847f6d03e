#pragma once
// A TCP listener for one service address. Each accepted connection becomes one
// coroutine on one of the I/O threads; a per-service counter enforces
// max_connections (the session answers with its protocol's "busy" reply).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/net/asio.hpp"
#include "dirmail/net/io_threads.hpp"
#include "dirmail/net/stream.hpp"

namespace dirmail::net {

// Who a service answers now: a cluster's standby node answers only loopback (the
// engine's health check), a fenced node nobody (so that its health check fails).
enum class Admission : std::uint8_t { everyone, loopback_only, nobody };

// A service's connection policy and counts: its open connections, those per client
// address, and the local addresses it does not answer on. Shared by the service's
// listeners; the daemon changes the limits on reload.
class ConnectionCounter {
 public:
  std::atomic<Admission> admission{Admission::everyone};
  std::atomic<std::int64_t> active{0};
  std::atomic<std::int64_t> limit{0};               // 0 = unlimited
  std::atomic<std::int64_t> per_address_limit{0};   // 0 = unlimited
  std::atomic<bool> count_loopback{false};          // loopback clients count per address too

  // The local addresses (as the accepted socket sees them) on which connections are
  // closed at once, without a greeting: a node's real IP in a cluster (the original's
  // hidden*.dat files).
  void set_refused_local_addresses(std::vector<std::string> addresses);
  bool refuses_local_address(const std::string& address) const;

  // Counts one more connection from `peer`; false (and nothing counted) when the
  // address already has per_address_limit of them.
  bool admit_address(const std::string& peer);
  void release_address(const std::string& peer);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> per_address_;
  std::vector<std::string> refused_;
};

// Held by a session for its lifetime; releases its place in the counter.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionCounter> c, std::string counted_address)
      : counter_(std::move(c)), address_(std::move(counted_address)) {
    ++counter_->active;
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() {
    --counter_->active;
    if (!address_.empty()) counter_->release_address(address_);
  }

 private:
  std::shared_ptr<ConnectionCounter> counter_;
  std::string address_;  // counted per address; empty when not
};

struct Connection {
  Stream stream;  // plain, or TLS already for an implicit-TLS listener
  std::string session_id;  // unique within this process, logged with every line
  std::string peer_address;
  std::uint16_t peer_port = 0;
  std::string local_address;
  std::uint16_t local_port = 0;
  bool peer_is_loopback = false;
  bool over_limit = false;  // refuse politely and close
  std::unique_ptr<ConnectionSlot> slot;
};

using SessionHandler = std::function<awaitable<void>(Connection)>;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(IoThreads& threads, tcp::endpoint endpoint, std::string service,
           std::shared_ptr<ConnectionCounter> counter, SessionHandler handler);
  Status open();   // bind and listen; the error names the address
  void start();    // accept until close()
  void close();
  const tcp::endpoint& endpoint() const { return endpoint_; }
  const std::string& service() const { return service_; }

 private:
  awaitable<void> accept_loop();
  IoThreads& threads_;
  tcp::endpoint endpoint_;
  std::string service_;
  std::shared_ptr<ConnectionCounter> counter_;
  SessionHandler handler_;
  tcp::acceptor acceptor_;
};

std::string new_session_id();

}  // namespace dirmail::net
