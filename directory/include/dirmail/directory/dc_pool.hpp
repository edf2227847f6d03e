#pragma once
// The domain controllers (or LDAP servers) in use: connections kept open per DC, a
// request sent to the best DC and, when it fails, to the next one at once (failover);
// a background probe that notices recovered DCs, then failback after failback_after.
// "No DC reachable" is logged once per outage, with every DC tried and its error.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/dc_health.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {

struct DcPoolOptions {
  std::vector<std::string> uris;        // preference order; empty: ask `discover`
  LdapConnectionOptions connection;     // for every DC; uri is replaced
  std::chrono::seconds failback_after{60};
  std::chrono::seconds probe_interval{10};
  std::size_t max_idle_per_dc = 8;
  // Finds the DCs (DNS SRV) when `uris` is empty: at the first request, again every
  // rediscover_interval, and at most once per probe_interval while it fails.
  std::function<Result<std::vector<std::string>>()> discover;
  std::chrono::seconds rediscover_interval{600};
};

class DcPool {
 public:
  using Operation = std::function<Status(LdapConnection&)>;

  explicit DcPool(DcPoolOptions options);
  ~DcPool();
  DcPool(const DcPool&) = delete;
  DcPool& operator=(const DcPool&) = delete;

  // Starts the background probe of failed and standby DCs.
  void start_probing();
  void stop();

  // Runs `op` on a connection to the best DC. An error of `op` that is temporary
  // (server down, timeout) fails that DC over to the next; any other result is the
  // answer. temporary_failure when no DC could answer, naming each one tried.
  Status run(const Operation& op);

  std::vector<DcStatus> status() const;
  const LdapConnectionOptions& connection_options() const { return options_.connection; }

 private:
  struct Idle {
    std::mutex mu;
    std::vector<std::unique_ptr<LdapConnection>> connections;
  };
  // The DC list in use: replaced as a whole when discovery finds a different one, so
  // a request holds on to the list it started with.
  struct Servers {
    std::vector<std::string> uris;
    std::vector<std::unique_ptr<Idle>> idle;
  };
  using ServersPtr = std::shared_ptr<Servers>;

  ServersPtr current_servers();
  // Discovery, when configured and due; keeps the old list when it fails.
  void rediscover_if_due();
  // A new DC list with fresh health and idle connections; health_mu_ held.
  void install_locked(std::vector<std::string> uris);
  Result<std::unique_ptr<LdapConnection>> connect(const std::string& uri);
  std::unique_ptr<LdapConnection> take_idle(Idle& idle);
  void give_back(Idle& idle, std::unique_ptr<LdapConnection> connection);
  // Runs op on one DC: an idle connection first, a fresh one if that fails.
  Status run_on(const ServersPtr& servers, std::size_t index, const Operation& op);
  void record(const ServersPtr& servers, std::size_t index, const Status& outcome, std::chrono::milliseconds latency,
              bool request);
  void probe_loop();

  DcPoolOptions options_;
  mutable std::mutex health_mu_;
  ServersPtr servers_;
  DcHealthTable health_;
  std::chrono::steady_clock::time_point next_discovery_{};
  std::string discovery_error_;

  std::mutex probe_mu_;
  std::condition_variable probe_cv_;
  bool stopping_ = false;
  std::thread prober_;
};

}  // namespace dirmail::directory
