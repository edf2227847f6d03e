#pragma once
// dirmaild's wiring: builds the directory, store, queue, delivery and protocol
// services from the settings, opens the listeners, and handles SIGTERM (finish
// in-flight transactions, then stop), SIGHUP (reload; a bad file is refused and
// the running settings stay) and SIGUSR1 (try deferred and released messages now).
// Group Policy (policy.group_policy) is laid over the file's settings at start (the
// policy kept from the last run) and whenever a refresh brings a changed one, through
// the same path as a reload. dirmailctl reaches the running daemon through its control
// socket (control_socket.hpp: status, reload, flush, metrics); Prometheus through the
// metrics endpoint (metrics.listen).
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dirmail/auth/authenticator.hpp"
#include "dirmail/base/metrics.hpp"
#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/login_limiter.hpp"
#include "dirmail/auth/password_verifier.hpp"
#include "dirmail/config/policy_state.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/delivery/cached_mx_resolver.hpp"
#include "dirmail/delivery/local_delivery.hpp"
#include "dirmail/delivery/remote_delivery.hpp"
#include "dirmail/features/aliasing_directory.hpp"
#include "dirmail/directory_settings/directory_from_settings.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/io_threads.hpp"
#include "dirmail/net/listener.hpp"
#include "dirmail/net/session_set.hpp"
#include "dirmail/net/tls_context.hpp"
#include "dirmail/imap/imap_service.hpp"
#include "dirmail/pop3/pop3_service.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/smtp/smtp_service.hpp"
#include "dirmail/store/mail_store.hpp"
#include "cluster_role_gate.hpp"
#include "control_socket.hpp"
#include "group_policy_refresh.hpp"

namespace dirmail::daemon {

class Daemon {
 public:
  // Kerberos single sign-on per service (auth.gssapi); null: not offered.
  struct GssapiAcceptors {
    std::shared_ptr<const auth::GssapiAcceptor> smtp, pop3, imap;
  };

  Daemon(std::string config_path, config::Settings settings);
  ~Daemon();

  Status start();
  // Blocks until SIGTERM/SIGINT, handling SIGHUP reloads and SIGUSR1 flushes meanwhile;
  // holds the pid file (queue/daemon_pid_file.hpp) meanwhile.
  void run();

 private:
  // Reads dirmail.toml again and applies it; the error says why it was refused.
  Status reload();
  // `file` (dirmail.toml as loaded) with the Group Policy laid over it, checked and
  // applied as a reload does; an error (logged, nothing changed) when it is refused.
  Status apply_settings(const config::Settings& file, std::string_view what);
  // A control socket command line (daemon_control.cpp): its JSON reply.
  std::string control_command(std::string_view line, const ControlPeer& peer);
  std::string status_json();
  // The state the metrics show beside the counted events (daemon_metrics.cpp).
  void collect_metrics(metrics::Samples& samples);
  // On the control thread: a Group Policy refresh's result.
  void on_policy_fetched(Result<directory::GroupPolicyFetch> fetched);
  void start_group_policy();
  // A cluster node (cluster.virtual_ip): the role gate and the store lease's renewals.
  void start_role_gate();
  void shutdown();
  // A service's *.max_connections, *.max_connections_per_ip, *.refuse_on_addresses.
  struct ConnectionPolicy {
    std::int64_t max_connections = 0;
    std::int64_t max_per_address = 0;
    const std::vector<std::string>& refused_local_addresses;
  };
  // Opens the listeners of one service so that they match `entries` (reload-safe).
  void sync_listeners(const std::string& service, bool enabled, const std::vector<std::string>& entries,
                      const ConnectionPolicy& policy, const net::SessionHandler& handler,
                      const net::SessionHandler& tls_handler);
  void sync_all_listeners();
  void apply_options();
  // The authenticator the settings ask for (opens auth.secrets_file).
  Result<std::shared_ptr<auth::Authenticator>> make_authenticator(const config::Settings& s);

  std::string config_path_;
  config::Settings settings_;       // in effect: the file's with the Group Policy over it
  config::Settings file_settings_;  // as dirmail.toml gives them
  std::vector<config::FetchedGpo> policy_gpos_;  // the Group Policy applied (lowest precedence first)
  config::MergedPolicy policy_;
  // Signals and posted work (Group Policy results) run here, on the thread in run().
  net::asio::io_context control_{1};
  std::unique_ptr<GroupPolicyRefresh> policy_refresh_;
  std::string hostname_;
  std::string node_;
  std::shared_ptr<const net::TlsContext> tls_;  // null without tls.certificate_file
  delivery::PeerSecurity peers_;  // outbound TLS policy, CA set and AUTH credentials; reloaded

  std::unique_ptr<net::IoThreads> io_;
  std::unique_ptr<net::BlockingPool> pool_;
  net::SessionSet sessions_;
  directory::DirectoryBackend directory_;
  std::unique_ptr<auth::PasswordVerifier> verifier_;
  // Rebuilt on reload (auth.secrets_file, auth.master_users); sessions keep theirs.
  std::shared_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<auth::LoginLimiter> limiter_;
  GssapiAcceptors gssapi_;  // loaded at start, again on reload (a new keytab)
  std::shared_ptr<cluster::StoreLease> lease_;  // a cluster node's store lease; else null
  std::unique_ptr<ClusterRoleGate> gate_;
  std::mutex delivery_switch_;  // shutting_down_ and the role gate's delivery start
  bool shutting_down_ = false;
  std::unique_ptr<store::MailStore> store_;
  std::unique_ptr<queue::Queue> queue_;
  std::string queue_local_dir_;  // this node's side of the queue: its pid file
  std::unique_ptr<features::AliasingDirectory> aliasing_;  // directory_ with the alias table
  std::unique_ptr<delivery::CachedMxResolver> mx_;
  std::unique_ptr<delivery::RemoteDelivery> remote_;
  std::unique_ptr<delivery::LocalDelivery> delivery_;
  std::shared_ptr<smtp::SmtpService> smtp_;
  std::shared_ptr<smtp::SmtpService> submission_;
  std::shared_ptr<pop3::Pop3Service> pop3_;
  std::shared_ptr<imap::ImapService> imap_;
  net::Admission admission_ = net::Admission::everyone;  // who the services answer (the gate sets it)
  std::mutex counters_mu_;  // counters_ and admission_: the role gate's thread changes admission
  std::map<std::string, std::shared_ptr<net::ConnectionCounter>> counters_;
  // service -> listen entry -> listener
  std::map<std::string, std::map<std::string, std::shared_ptr<net::Listener>>> listeners_;
  std::vector<std::string> start_errors_;
  std::chrono::system_clock::time_point started_at_{};
  struct LastReload {
    std::chrono::system_clock::time_point at{};  // epoch: none since the start
    std::string what;                            // reload, Group Policy
    std::string error;                           // empty: applied
  };
  LastReload last_reload_;
  std::unique_ptr<ControlSocket> control_socket_;
  metrics::Registry::CollectorHandle metrics_collector_;
};

}  // namespace dirmail::daemon
