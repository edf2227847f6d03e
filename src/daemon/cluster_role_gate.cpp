#include "cluster_role_gate.hpp"

#include <unistd.h>


#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/metrics.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/cluster/node_role_file.hpp"
#include "dirmail/cluster/replace_file.hpp"

namespace dirmail::daemon {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

log::LogLine gate_log() { return log::LogLine(log::service("cluster"), log::Record::daemon); }

}  // namespace

std::string_view to_string(NodeState state) {
  switch (state) {
    case NodeState::standby: return "standby";
    case NodeState::acquiring: return "acquiring";
    case NodeState::active: return "active";
    case NodeState::fenced: return "fenced";
  }
  return "standby";
}

ClusterRoleGate::ClusterRoleGate(std::shared_ptr<cluster::StoreLease> lease, std::string data_dir, std::string node,
                                 RoleGateActions actions)
    : lease_(std::move(lease)), data_dir_(std::move(data_dir)), node_(std::move(node)), actions_(std::move(actions)) {
  lease_->set_on_lost([this](const std::string& reason) {
    // At once, from whichever thread found it: no client is served from here. The
    // gate's thread closes the sessions and stops delivery when it gets to it.
    actions_.admit(net::Admission::nobody);
    {
      std::lock_guard lock(mu_);
      lost_ = reason;
    }
    wake_.notify_all();
  });
}

ClusterRoleGate::~ClusterRoleGate() {
  stop();
  lease_->set_on_lost({});  // the lease outlives the gate (the store and queue hold it)
}

void ClusterRoleGate::start() {
  entered_ = std::chrono::steady_clock::now();
  entered_wall_ms_ = unix_now_ms();
  why_ = "started";
  (void)posix::ensure_directory(posix::join_path(data_dir_, "cluster"));
  if (cluster::current_boot_id().empty())
    gate_log().error("the kernel's boot id cannot be read (/proc/sys/kernel/random/boot_id): the role file is never "
                     "taken as this boot's, so this node stays standby");
  lease_->arm();
  gate_log().with("node", node_).with("lease_time_ms", lease_->lease_time().count())
      .info("cluster node started as standby: serving loopback only until the cluster engine makes it active");
  write_state_file();
  thread_ = std::thread([this] { run(); });
  watchdog_ = std::thread([this] { watch(); });
}

void ClusterRoleGate::watch() {
  const auto period = std::max(std::chrono::milliseconds(50), lease_->lease_time() / 20);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, period, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    lease_->expire_if_late();  // no I/O: calls on_lost at the deadline
    auto view = lease_->view();
    lock.lock();
    // The gate's thread may be stuck in the share: say "fenced" for it.
    if (view.state == cluster::LeaseState::lost && state_ == NodeState::active && !lost_reported_) {
      lost_reported_ = true;
      lock.unlock();
      write_state_file(view.reason);
      lock.lock();
    }
  }
}

void ClusterRoleGate::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
  if (state_ == NodeState::active) {
    if (auto st = lease_->release(); !st)
      gate_log().with("error", st.error().message).warn("the store lease could not be released; the other node takes it when it expires");
    enter(NodeState::standby, "stopped");
  }
}

void ClusterRoleGate::set_settings(std::vector<std::string> lines) {
  std::lock_guard lock(mu_);
  settings_ = std::move(lines);
}

void ClusterRoleGate::publish_record() {
  last_publish_ = std::chrono::steady_clock::now();
  cluster::NodeRecord record;
  record.node = node_;
  {
    std::lock_guard lock(mu_);
    record.state = std::string(to_string(state_));
  }
  record.epoch = lease_->view().epoch;
  record.pid = ::getpid();
  record.updated_ms = unix_now_ms();
  {
    std::lock_guard lock(mu_);
    record.settings = settings_;
  }
  // Outside the fence: a standby tells its state too. A share that does not answer
  // shows in the lease's own errors.
  (void)lease_->publish(record);
}

void ClusterRoleGate::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    step();
    lock.lock();
    if (stopping_ || !lost_.empty()) continue;
    // Active: the renewal period. Otherwise a tenth of the lease time, so that a
    // promotion is seen quickly and the wait for the old lease is measured finely.
    auto period = state_ == NodeState::active ? lease_->renew_interval()
                                              : std::max(milliseconds(100), lease_->lease_time() / 10);
    wake_.wait_for(lock, period, [this] { return stopping_ || !lost_.empty(); });
  }
}

ClusterRoleGate::View ClusterRoleGate::view() {
  std::lock_guard lock(mu_);
  return {state_, engine_role_, why_,
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - entered_)};
}

void ClusterRoleGate::enter(NodeState state, const std::string& why) {
  static metrics::Family& transitions = metrics::counter(
      "dirmail_cluster_transitions_total", "Cluster role changes of this node, by the state entered.", {"state"});
  transitions.with({to_string(state)}).add();
  {
    std::lock_guard lock(mu_);
    state_ = state;
    why_ = why;
    entered_ = std::chrono::steady_clock::now();
    entered_wall_ms_ = unix_now_ms();
    lost_reported_ = false;
  }
  last_wait_.clear();
  write_state_file();
  publish_record();
}

void ClusterRoleGate::fence(const std::string& reason) {
  actions_.admit(net::Admission::nobody);
  actions_.sole_writer(false);
  actions_.close_sessions();
  enter(NodeState::fenced, reason);
  gate_log().with("reason", reason)
      .error("this node fenced itself: it stopped writing to the shared store, closed its sessions and refuses "
             "every connection until the cluster engine makes it standby");
  actions_.stop_delivery();
  if (auto st = lease_->explain_loss(); !st)
    gate_log().with("error", st.error().message).warn("the store cannot tell whether another node took the lease");
}

void ClusterRoleGate::step() {
  std::string lost;
  {
    std::lock_guard lock(mu_);
    lost.swap(lost_);
  }
  if (!lost.empty() && state_ == NodeState::active) fence(lost);

  auto role = cluster::read_node_role_this_boot(data_dir_);
  if (role) {
    want_active_ = *role && **role == cluster::NodeRole::active;
    std::lock_guard lock(mu_);
    engine_role_ = *role ? std::string(cluster::to_string(**role)) : "unknown";
  } else if (last_error_ != role.error().message) {
    // A passing error must not fail the pair over: the last role read stays.
    last_error_ = role.error().message;
    gate_log().with("error", role.error().message).error("the role file cannot be read: the last role read stays");
  }
  const bool want_active = want_active_;

  switch (state_) {
    case NodeState::standby:
      if (want_active) {
        gate_log().info("the cluster engine made this node active: taking the store lease");
        enter(NodeState::acquiring, "promoted by the cluster engine");
        step();
        return;
      }
      if (auto st = lease_->observe(); !st && last_error_ != st.error().message) {
        last_error_ = st.error().message;
        gate_log().with("error", st.error().message).warn("the store lease cannot be read");
      }
      break;
    case NodeState::acquiring: {
      if (!want_active) {
        enter(NodeState::standby, "demoted by the cluster engine before it got the lease");
        break;
      }
      auto taken = lease_->try_acquire();
      if (!taken) {
        if (last_error_ != taken.error().message) {
          last_error_ = taken.error().message;
          gate_log().with("error", taken.error().message).warn("the store lease cannot be taken now; trying again");
        }
        break;
      }
      if (!*taken) {
        auto wait = lease_->view().reason;
        // Logged when what it waits for changes, not at every look.
        if (wait.substr(0, 30) != last_wait_.substr(0, 30)) gate_log().with("waiting_for", wait).info("waiting for the store lease");
        last_wait_ = wait;
        break;
      }
      actions_.sole_writer(true);
      actions_.admit(net::Admission::everyone);
      actions_.start_delivery();
      enter(NodeState::active, "holds the store lease");
      gate_log().with("epoch", lease_->view().epoch).info("this node is active: serving every client and delivering the queue");
      break;
    }
    case NodeState::active:
      if (!want_active) {
        actions_.admit(net::Admission::loopback_only);
        actions_.close_sessions();
        actions_.stop_delivery();
        actions_.sole_writer(false);
        if (auto st = lease_->release(); !st)
          gate_log().with("error", st.error().message).warn("the store lease could not be released; the other node takes it when it expires");
        enter(NodeState::standby, "demoted by the cluster engine");
        gate_log().info("this node is standby: serving loopback only");
        break;
      }
      if (auto st = lease_->renew(); !st) {
        if (lease_->view().state == cluster::LeaseState::lost) {
          fence(lease_->view().reason);
        } else if (last_error_ != st.error().message) {
          last_error_ = st.error().message;
          gate_log().with("error", st.error().message).warn("renewing the store lease failed; trying again");
        }
      } else {
        last_error_.clear();
      }
      break;
    case NodeState::fenced:
      if (!want_active) {
        actions_.admit(net::Admission::loopback_only);
        enter(NodeState::standby, "demoted by the cluster engine after fencing");
        gate_log().info("this node is standby again after fencing: serving loopback only");
      } else if (std::chrono::steady_clock::now() - entered_ >= lease_->lease_time()) {
        actions_.admit(net::Admission::loopback_only);
        enter(NodeState::acquiring, "still active for the cluster engine after fencing");
        gate_log().info("still asked to be active after fencing: taking a new store lease");
      }
      break;
  }
  // Who is served follows the state at every step: a lease lost on another thread
  // (nobody at once) or a stale admission after a demotion cannot outlive it.
  switch (state_) {
    case NodeState::active:
      actions_.admit(lease_->view().state == cluster::LeaseState::active ? net::Admission::everyone
                                                                         : net::Admission::nobody);
      break;
    case NodeState::fenced: actions_.admit(net::Admission::nobody); break;
    default: actions_.admit(net::Admission::loopback_only); break;
  }
  const auto t = std::chrono::steady_clock::now();
  if (t - last_state_write_ >= std::chrono::seconds(1)) write_state_file();
  if (t - last_publish_ >= std::chrono::seconds(5)) publish_record();
}

void ClusterRoleGate::write_state_file(const std::string& fenced_reason) {
  auto view = lease_->view();
  std::string state, role, why;
  std::int64_t since = 0;
  {
    std::lock_guard lock(mu_);
    state = fenced_reason.empty() ? std::string(to_string(state_)) : "fenced";
    role = engine_role_;
    why = fenced_reason.empty() ? why_ : fenced_reason;
    since = fenced_reason.empty() ? entered_wall_ms_ : unix_now_ms();
  }
  std::lock_guard file_lock(file_mu_);
  if (fenced_reason.empty()) last_state_write_ = std::chrono::steady_clock::now();  // the gate's thread only
  std::string text = fmt::format("state {}\nrole {}\nnode {}\npid {}\nsince {}\nepoch {}\nlease_state {}\n", state,
                                 role, node_, ::getpid(), since, view.epoch, cluster::to_string(view.state));
  if (view.seen)
    text += fmt::format("lease_holder {}\nlease_epoch {}\nlease_sequence {}\nlease_renewed {}\nlease_released {}\n",
                        view.seen->holder, view.seen->epoch, view.seen->sequence, view.seen->renewed_ms,
                        view.seen->released ? "yes" : "no");
  text += fmt::format("lease_unchanged_ms {}\n", view.unchanged_for.count());
  if (view.state == cluster::LeaseState::active) text += fmt::format("since_renewal_ms {}\n", view.since_renewal.count());
  text += fmt::format("why {}\n", why);
  if (!view.reason.empty()) text += fmt::format("lease_reason {}\n", view.reason);
  text += fmt::format("updated {}\n", unix_now_ms());
  // Mode 0644: dirmailctl may run as another user than the daemon.
  if (auto st = cluster::replace_file(posix::join_path(posix::join_path(data_dir_, "cluster"), "state"), text, 0644);
      !st && !state_file_failed_) {
    state_file_failed_ = true;
    gate_log().with("error", st.error().message).warn("the cluster state file cannot be written");
  }
}

}  // namespace dirmail::daemon
