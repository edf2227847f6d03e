#pragma once
// The role gate of a cluster node: what dirmaild does as the engine's role (the role
// file, node_role_file.hpp) and the store lease (store_lease.hpp) say.
//   standby    serves loopback only (the engine's health check); no delivery; watches
//              the lease. Also the state at start, whatever the role file said before a
//              reboot.
//   acquiring  the engine made this node active: it waits for the old holder's lease
//              to expire (or be released) and takes a new epoch; still loopback only.
//   active     serves everyone, delivers the queue (the old node's messages too),
//              renews the lease.
//   fenced     the lease was lost (not renewed in time, or a newer epoch exists): no
//              connection at all, so that the health check fails and the engine moves
//              the virtual IP; sessions closed, delivery stopped. Left when the engine
//              demotes the node, or, still asked to be active, after lease_time.
// Its thread writes <server.data_dir>/cluster/state for dirmailctl cluster status.
// A watchdog thread, which does no I/O, ends the lease at its deadline even while the
// gate's thread is stuck in a call to a share that does not answer: the services then
// refuse every connection at once, so the engine moves the virtual IP.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dirmail/cluster/store_lease.hpp"
#include "dirmail/net/listener.hpp"

namespace dirmail::daemon {

enum class NodeState { standby, acquiring, active, fenced };
std::string_view to_string(NodeState state);

// What the gate asks of the daemon; each is called on the gate's thread.
struct RoleGateActions {
  std::function<void(net::Admission)> admit;  // every service's listeners
  std::function<void()> start_delivery;
  std::function<void()> stop_delivery;        // returns when the workers stopped
  std::function<void()> close_sessions;
  std::function<void(bool)> sole_writer;      // sessions may take over other nodes' locks
};

class ClusterRoleGate {
 public:
  ClusterRoleGate(std::shared_ptr<cluster::StoreLease> lease, std::string data_dir, std::string node,
                  RoleGateActions actions);
  ~ClusterRoleGate();

  // Standby: admits loopback only, then starts the thread.
  void start();
  // The shared (not node-local) settings in effect, "name = value": published in this
  // node's record on the store for dirmailctl cluster status. Any thread.
  void set_settings(std::vector<std::string> lines);
  // What the gate is doing now, for dirmailctl status and the metrics. Any thread.
  struct View {
    NodeState state = NodeState::standby;
    std::string engine_role;  // what the cluster engine last asked for
    std::string why;          // why the gate entered its state
    std::chrono::seconds in_state{0};
  };
  View view();
  // Stops the thread; an active node releases the lease, so the other node takes over at
  // once. Call after the services stopped writing.
  void stop();

 private:
  void run();
  void watch();
  void step();
  void fence(const std::string& reason);
  void enter(NodeState state, const std::string& why);
  // `fenced_reason`: the watchdog's view (lease lost while the gate's thread is busy).
  void write_state_file(const std::string& fenced_reason = {});
  void publish_record();

  std::shared_ptr<cluster::StoreLease> lease_;
  std::string data_dir_;
  std::string node_;
  RoleGateActions actions_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string lost_;  // set by the lease's on_lost, acted on by the thread
  std::vector<std::string> settings_;
  std::thread thread_;
  std::thread watchdog_;

  // Written by the gate's thread under mu_ (read by the watchdog and the state file).
  NodeState state_ = NodeState::standby;
  std::string engine_role_ = "unknown";
  std::chrono::steady_clock::time_point entered_{};
  std::int64_t entered_wall_ms_ = 0;
  std::string why_;
  bool lost_reported_ = false;  // the watchdog wrote "fenced" while the gate's thread was busy
  std::mutex file_mu_;          // one writer of the state file at a time

  // The gate thread's own.
  bool want_active_ = false;  // the engine's role as last read
  bool state_file_failed_ = false;
  std::string last_wait_;
  std::string last_error_;
  std::chrono::steady_clock::time_point last_state_write_{};
  std::chrono::steady_clock::time_point last_publish_{};
};

}  // namespace dirmail::daemon
