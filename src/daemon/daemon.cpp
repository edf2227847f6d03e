#include "daemon.hpp"
#include "mail_store_setup.hpp"
#include "metrics_endpoint.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>
#include <variant>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "dirmail/base/journal_sink.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/config/host_names.hpp"
#include "dirmail/directory_settings/auth_from_settings.hpp"
#include "dirmail/delivery/mx_settings.hpp"
#include "dirmail/delivery/peer_settings.hpp"
#include "dirmail/delivery/route_settings.hpp"
#include "dirmail/features/feature_settings.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/config/listen_entry.hpp"
#include "dirmail/config/loader.hpp"
#include "dirmail/config/node_local_settings.hpp"
#include "dirmail/config/policy_merge.hpp"
#include "dirmail/net/implicit_tls.hpp"
#include "dirmail/queue/daemon_pid_file.hpp"
#include "dirmail/store_settings/node_settings.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"
#include "dirmail/queue/file_queue.hpp"
#include "dirmail/smtp/smtp_settings.hpp"
#include "dirmail/store/mailbox_path.hpp"
#include "dirmail/store/posix_mail_store.hpp"
#include "dirmail/store/write_fence.hpp"

namespace dirmail::daemon {
namespace {

log::LogLine dlog() { return log::LogLine(log::service("daemon"), log::Record::daemon); }

log::Level to_level(const std::string& s) {
  if (s == "debug") return log::Level::debug;
  if (s == "warn") return log::Level::warn;
  if (s == "error") return log::Level::error;
  return log::Level::info;
}

// log.journal auto: the journal when systemd connected stderr to it.
log::Options log_options(const config::Settings& s, const std::string& node) {
  const bool journal = s.log_journal == "on" || (s.log_journal == "auto" && log::stderr_is_journal());
  return {s.log_dir, node, to_level(s.log_level), s.log_stderr, journal};
}

Result<store::MailboxLocation> checked_mailbox_location(const config::Settings& s) {
  return store_settings::mailbox_location(s);
}

// Checked at start and at each reload (Daemon::start and reload refuse settings it
// cannot use), so it is never empty in a running daemon.
store::MailboxLocation mailbox_location(const config::Settings& s) {
  auto location = checked_mailbox_location(s);
  return location ? std::move(*location) : store::MailboxLocation{};
}

RetrySchedule retry_schedule(const config::Settings& s, std::int64_t interval_ms, std::int64_t count);

delivery::LocalDeliveryOptions delivery_options(const config::Settings& s) {
  delivery::LocalDeliveryOptions o;
  o.mailboxes = mailbox_location(s);
  o.workers = static_cast<std::size_t>(s.delivery_local_workers);
  o.retry_interval = std::chrono::seconds(s.delivery_retry_interval);
  o.directory_retry = retry_schedule(s, s.delivery_directory_retry_interval, s.delivery_directory_retry_count);
  if (auto retry = delivery::make_retry_policy(s)) o.remote_retry = *retry;  // checked at start and reload
  o.pending.delay_notice_after = std::chrono::seconds(s.delivery_delay_notice_after);
  o.pending.max_queue_lifetime = std::chrono::seconds(s.delivery_max_queue_lifetime);
  o.mailbox_limit = static_cast<std::uint64_t>(s.store_mailbox_limit);
  o.mail_control = features::MailControlOptions{s.delivery_mail_control, features::admin_address(s, config::host_name(s)),
                                                config::host_name(s), std::chrono::seconds(s.delivery_auto_reply_interval)};
  o.hostname = config::host_name(s);
  o.admin_error_copy = s.delivery_admin_error_copy;
  return o;
}

// This server's names and SMTP listeners, so that mail never loops back to it.
delivery::SelfIdentity self_identity(const config::Settings& s) {
  delivery::SelfIdentity self;
  self.names.push_back(to_lower(config::host_name(s)));
  for (const auto& entry : s.smtp_listen)
    if (auto l = config::parse_listen_entry(entry)) self.listeners.push_back({l->address, l->port});
  self.local_addresses = delivery::machine_addresses();
  return self;
}

// `peers`: loaded at start and reload (make_peer_security), never silently replaced by
// defaults that would drop a required TLS policy.
delivery::RemoteDeliveryOptions remote_options(const config::Settings& s, const delivery::PeerSecurity& peers) {
  delivery::RemoteDeliveryOptions o;
  o.client.helo_name = config::host_name(s);
  o.client.tls = delivery::TlsMode::opportunistic;
  o.port = static_cast<std::uint16_t>(s.delivery_port);
  if (auto routes = delivery::make_route_policy(s)) o.routes = std::move(*routes);  // checked at start and reload
  o.sessions.idle = std::chrono::seconds(s.delivery_connection_cache_time);
  o.sessions.max_messages = static_cast<std::size_t>(s.delivery_connection_messages);
  o.destination_concurrency = static_cast<std::size_t>(s.delivery_destination_concurrency);
  o.self = self_identity(s);
  o.peers = peers;
  return o;
}

RetrySchedule retry_schedule(const config::Settings& s, std::int64_t interval_ms, std::int64_t count) {
  RetrySchedule r;
  r.interval = std::chrono::milliseconds(interval_ms >= 0 ? interval_ms : s.directory_retry_interval);
  r.attempts = static_cast<int>(count > 0 ? count : s.directory_retry_count);
  r.exponential = s.directory_retry_backoff == "exponential";
  return r;
}

// Directory settings take effect at the next start: the running backend keeps
// connections, caches and threads built from them.
bool directory_settings_changed(const config::Settings& a, const config::Settings& b) {
  for (const auto& spec : config::setting_specs()) {
    if (spec.section() != "directory") continue;
    bool same = std::visit([&](auto member) { return a.*member == b.*member; }, spec.field);
    if (!same) return true;
  }
  return false;
}

void keep_directory_settings(config::Settings& to, const config::Settings& from) {
  for (const auto& spec : config::setting_specs()) {
    if (spec.section() != "directory") continue;
    std::visit([&](auto member) { to.*member = from.*member; }, spec.field);
  }
}

// What a reload checks beyond the loader: settings that only make sense together.
std::vector<std::string> settings_problems(const config::Settings& n) {
  auto problems = smtp::check_smtp_settings(n);
  for (auto& p : features::check_feature_settings(n)) problems.push_back(std::move(p));
  for (auto& p : delivery::check_mx_settings(n)) problems.push_back(std::move(p));
  for (auto& p : delivery::check_route_settings(n)) problems.push_back(std::move(p));
  for (const auto& entry : n.metrics_listen)
    if (auto l = config::parse_listen_entry(entry); l && l->implicit_tls)
      problems.push_back(fmt::format("metrics.listen: \"{}\": the metrics endpoint speaks plain HTTP (no *)", entry));
  return problems;
}

auth::LoginLimiterOptions limiter_options(const config::Settings& s) {
  auth::LoginLimiterOptions o;
  o.failure_window = std::chrono::seconds(s.auth_failure_window);
  o.max_failures_per_account = static_cast<int>(s.auth_max_failures_per_account);
  o.max_failures_per_ip = static_cast<int>(s.auth_max_failures_per_ip);
  o.max_delay = std::chrono::seconds(s.auth_max_delay);
  o.lockout_margin = static_cast<int>(s.auth_lockout_margin);
  return o;
}

// The loader has checked the value against the table's allowed values.
auth::PlaintextPolicy to_plaintext(const std::string& s) {
  return auth::parse_plaintext_policy(s).value_or(auth::PlaintextPolicy::never);
}

auth::PasswordSource to_password_source(const std::string& s) {
  return auth::parse_password_source(s).value_or(auth::PasswordSource::directory);
}

// The TLS context from the settings (null when no certificate is configured), and a
// refusal of implicit-TLS listeners ("PORT*") without one. Errors name the file or the
// setting.
Result<std::shared_ptr<const net::TlsContext>> tls_from_settings(const config::Settings& s) {
  std::shared_ptr<const net::TlsContext> tls;
  if (!s.tls_certificate_file.empty()) {
    auto loaded = net::TlsContext::load({s.tls_certificate_file, s.tls_key_file, s.tls_min_version});
    if (!loaded) return std::move(loaded).error();
    tls = std::move(*loaded);
  } else if (!s.tls_key_file.empty()) {
    return make_error(ErrorCode::invalid_argument, "tls.key_file is set but tls.certificate_file is not");
  }
  const std::pair<const char*, const std::vector<std::string>*> lists[] = {
      {"smtp.listen", &s.smtp_listen}, {"submission.listen", &s.submission_listen},
      {"pop3.listen", &s.pop3_listen}, {"imap.listen", &s.imap_listen}};
  for (const auto& [name, entries] : lists) {
    for (const auto& entry : *entries) {
      auto parsed = config::parse_listen_entry(entry);
      if (!tls && parsed && parsed->implicit_tls)
        return make_error(ErrorCode::invalid_argument,
                          fmt::format("{}: \"{}\" asks for implicit TLS, but tls.certificate_file is not set", name,
                                      entry));
    }
  }
  return tls;
}

// The GSSAPI acceptor credentials of auth.gssapi: on fails the start when one is
// missing; auto offers each service whose principal the keytab holds.
Result<Daemon::GssapiAcceptors> gssapi_acceptors(const config::Settings& s) {
  Daemon::GssapiAcceptors acceptors;
  if (s.auth_gssapi == "off") return acceptors;
  const bool required = s.auth_gssapi == "on";
  std::string keytab = s.auth_keytab.empty() ? s.directory_keytab : s.auth_keytab;
  std::string hostname = s.auth_gssapi_hostname.empty() ? config::host_name(s) : s.auth_gssapi_hostname;
  if (!required && (s.directory_backend != "ad" || s.directory_realm.empty() || ::access(keytab.c_str(), R_OK) != 0)) {
    dlog().with("keytab", keytab).info("Kerberos single sign-on (GSSAPI, GSS-SPNEGO) not offered: needs the ad backend, directory.realm and a readable keytab");
    return acceptors;
  }
  const std::pair<const char*, std::shared_ptr<const auth::GssapiAcceptor>*> services[] = {
      {"smtp", &acceptors.smtp}, {"pop", &acceptors.pop3}, {"imap", &acceptors.imap}};
  for (const auto& [service, slot] : services) {
    auto loaded = auth::GssapiAcceptor::load({keytab, service, hostname, s.directory_realm});
    if (!loaded) {
      if (required) return make_error(loaded.error().code, "auth.gssapi: " + loaded.error().message);
      dlog().with("error", loaded.error().message).warn("Kerberos single sign-on (GSSAPI, GSS-SPNEGO) not offered for " + std::string(service));
      continue;
    }
    dlog().with("principal", (*loaded)->service_principal()).with("keytab", keytab).info("Kerberos single sign-on (GSSAPI, GSS-SPNEGO) offered");
    *slot = std::move(*loaded);
  }
  return acceptors;
}

// A listener handler that runs the TLS handshake first, with the context and time
// limit the service has when the connection arrives (a reload may have changed them).
template <typename Service>
net::SessionHandler after_tls_handshake(std::shared_ptr<Service> service, net::SessionHandler session) {
  return [service, session](net::Connection c) {
    auto options = service->options.load();
    return net::run_after_tls_handshake(session, options->tls, options->handshake_timeout, service->name,
                                        std::move(c));
  };
}

}  // namespace

Daemon::Daemon(std::string config_path, config::Settings settings)
    : config_path_(std::move(config_path)), settings_(std::move(settings)) {}

Daemon::~Daemon() { shutdown(); }

void Daemon::apply_options() {
  const auto& s = settings_;
  hostname_ = config::host_name(s);
  smtp::SmtpOptions so;
  so.hostname = hostname_;
  so.max_message_size = static_cast<std::uint64_t>(s.smtp_max_message_size);
  so.max_recipients = static_cast<std::size_t>(s.smtp_max_recipients);
  so.mailboxes = mailbox_location(s);
  so.mailbox_limit = static_cast<std::uint64_t>(s.store_mailbox_limit);
  so.greeting_delay = std::chrono::seconds(s.smtp_greeting_delay);
  if (auto received = smtp::received_template(s)) so.received = *received;  // checked at start
  if (auto rules = smtp::relay_rules(s)) {
    so.relay_rules = *rules;
    for (const auto& w : (*rules)->warnings()) dlog().with("warning", w).warn("relay rules");
    dlog().with("rules", (*rules)->rules().size()).info("relay rules loaded");
  } else {
    // A file that went bad since the start: keep the running rules (reload is refused below).
    so.relay_rules = smtp_->options.load() ? smtp_->options.load()->relay_rules : nullptr;
  }
  if (auto journal = features::journal_rule(s)) so.journal = *journal;  // checked at start and reload
  so.max_header_size = static_cast<std::uint64_t>(s.smtp_max_header_size);
  so.max_header_fields = static_cast<std::uint64_t>(s.smtp_max_header_fields);
  so.max_hops = static_cast<std::uint64_t>(s.smtp_max_hops);
  so.vrfy = s.smtp_vrfy;
  so.sender_trust = smtp::parse_sender_trust(s.smtp_sender_trust).value_or(smtp::SenderTrust::auth_id);
  so.command_timeout = std::chrono::seconds(s.smtp_command_timeout);
  so.data_timeout = std::chrono::seconds(s.smtp_data_timeout);
  so.plaintext_auth = to_plaintext(s.smtp_plaintext_auth);
  so.directory_retry = retry_schedule(s, s.smtp_directory_retry_interval, s.smtp_directory_retry_count);
  so.limit_loopback_logins = s.auth_limit_loopback;
  const std::chrono::seconds handshake_timeout(s.tls_handshake_timeout);
  so.tls = tls_;
  so.starttls = s.smtp_starttls;
  so.handshake_timeout = handshake_timeout;
  so.gssapi = gssapi_.smtp;
  so.authenticator = authenticator_;
  so.cram_md5 = s.auth_cram_md5 && authenticator_->shared_secrets_available();
  so.password_source = to_password_source(s.smtp_auth_password_source);
  so.security_level = smtp::parse_security_level(s.smtp_auth_security_level).value_or(smtp::SecurityLevel::open);
  smtp_->options.store(std::make_shared<const smtp::SmtpOptions>(so));
  // Submission shares the smtp limits; it differs in requiring AUTH (RFC 6409).
  so.plaintext_auth = to_plaintext(s.submission_plaintext_auth);
  so.starttls = s.submission_starttls;
  so.require_auth = true;
  so.greeting_delay = std::chrono::seconds(0);  // clients wait for submission's greeting anyway
  so.security_level = smtp::SecurityLevel::auth_only;
  so.password_source = to_password_source(s.submission_auth_password_source);
  so.sender_trust = smtp::parse_sender_trust(s.submission_sender_trust).value_or(smtp::SenderTrust::envelope);
  so.add_missing_headers = s.submission_add_missing_headers;
  submission_->options.store(std::make_shared<const smtp::SmtpOptions>(so));

  auto po = std::make_shared<pop3::Pop3Options>();
  po->hostname = hostname_;
  po->idle_timeout = std::chrono::seconds(s.pop3_idle_timeout);
  po->node_name = config::node_name(s);
  po->plaintext_auth = to_plaintext(s.pop3_plaintext_auth);
  po->mailboxes = mailbox_location(s);
  po->directory_retry = retry_schedule(s, s.pop3_directory_retry_interval, s.pop3_directory_retry_count);
  po->limit_loopback_logins = s.auth_limit_loopback;
  po->tls = tls_;
  po->starttls = s.pop3_starttls;
  po->handshake_timeout = handshake_timeout;
  po->gssapi = gssapi_.pop3;
  po->authenticator = authenticator_;
  po->cram_md5 = s.auth_cram_md5 && authenticator_->shared_secrets_available();
  po->apop = s.pop3_apop && authenticator_->shared_secrets_available();
  pop3_->options.store(po);

  auto io = std::make_shared<imap::ImapOptions>();
  io->hostname = hostname_;
  io->idle_timeout = std::chrono::seconds(s.imap_idle_timeout);
  io->plaintext_auth = to_plaintext(s.imap_plaintext_auth);
  io->mailboxes = mailbox_location(s);
  io->directory_retry = retry_schedule(s, s.imap_directory_retry_interval, s.imap_directory_retry_count);
  io->limit_loopback_logins = s.auth_limit_loopback;
  io->tls = tls_;
  io->starttls = s.imap_starttls;
  io->handshake_timeout = handshake_timeout;
  io->gssapi = gssapi_.imap;
  io->authenticator = authenticator_;
  io->cram_md5 = s.auth_cram_md5 && authenticator_->shared_secrets_available();
  io->mailbox_limit = static_cast<std::uint64_t>(s.store_mailbox_limit);
  // A message that could be sent can be saved (Sent, Drafts).
  const auto sendable = static_cast<std::size_t>(s.smtp_max_message_size);
  io->max_append_size = sendable == 0 ? imap::max_append_message : std::min(sendable, imap::max_append_message);
  io->max_sessions_per_user = static_cast<std::size_t>(s.imap_max_sessions_per_user);
  io->spool_dir = posix::join_path(s.server_data_dir, "tmp");  // made on first use
  imap_->options.store(io);

  if (auto aliases = features::alias_table(s)) {
    aliasing_->set_table(*aliases);
    dlog().with("aliases", (*aliases)->size()).info("aliases loaded");
  }  // else a file that went bad since the start: keep the running table (reload is refused)
  if (delivery_) delivery_->set_options(delivery_options(s));
  if (remote_) remote_->set_options(remote_options(s, peers_));
}

Status Daemon::start() {
  const auto& s = settings_;
  node_ = config::node_name(s);
  log::init(log_options(s, node_));
  file_settings_ = settings_;
  if (directory::group_policy_enabled(settings_)) {
    // The policy applied last time, until the first refresh: a DC that is down at the
    // start must not bring back the file's values.
    const std::string state = config::policy_state_file(settings_);
    auto kept = config::load_policy_state(state);
    auto merged = kept ? config::policy_of(*kept) : Result<config::MergedPolicy>(kept.error());
    if (merged) {
      config::Settings with_policy = settings_;
      config::apply_policy(*merged, with_policy);
      if (auto problems = settings_problems(with_policy); problems.empty()) {
        settings_ = std::move(with_policy);
        policy_gpos_ = std::move(*kept);
        policy_ = std::move(*merged);
        log::init(log_options(s, node_));  // log.* may come from a GPO
        dlog().with("file", state).with("gpos", policy_gpos_.size()).info("Group Policy kept from the last run applied");
      } else {
        dlog().with("file", state).with("error", problems.front()).error("Group Policy kept from the last run refused");
      }
    } else if (merged.error().code != ErrorCode::not_found) {
      dlog().with("file", state).with("error", merged.error().message).error("Group Policy kept from the last run refused");
    }
  }

  // First, so that a bad certificate stops the start before anything else is opened.
  auto tls = tls_from_settings(s);
  if (!tls) return make_error(tls.error().code, tls.error().message);
  tls_ = std::move(*tls);
  // Next, before the queue and the threads: a second dirmaild of this node (its control
  // socket answers) stops here, before it touches anything. Commands run only once
  // run() turns the control thread, when everything is in place.
  started_at_ = std::chrono::system_clock::now();
  auto control = ControlSocket::open(control_, s.server_control_socket,
                                     [this](std::string_view line, const ControlPeer& peer) {
                                       return control_command(line, peer);
                                     });
  if (!control) return std::move(control).error();
  control_socket_ = std::move(*control);

  auto dir = directory::open_directory(s);
  if (!dir) return make_error(dir.error().code, "directory: " + dir.error().message);
  directory_ = std::move(*dir);
  verifier_ = std::make_unique<auth::DirectoryPasswordVerifier>(*directory_.directory, *directory_.passwords);
  auto authenticator = make_authenticator(s);
  if (!authenticator) return std::move(authenticator).error();
  authenticator_ = std::move(*authenticator);
  limiter_ = std::make_unique<auth::LoginLimiter>(limiter_options(s));
  auto gssapi = gssapi_acceptors(s);
  if (!gssapi) return make_error(gssapi.error().code, gssapi.error().message);
  gssapi_ = std::move(*gssapi);
  if (directory_.ldap) {
    // Failed binds stay below the domain's lockout threshold, re-read at each refresh.
    directory_.ldap->set_lockout_policy_listener([limiter = limiter_.get()](const directory::DomainLockoutPolicy& p) {
      limiter->apply_domain_lockout(p.lockout_threshold, p.observation_window);
    });
    directory_.ldap->start();
  }

  auto mailboxes = checked_mailbox_location(s);
  if (!mailboxes) return make_error(mailboxes.error().code, "store: " + mailboxes.error().message);
  auto files = open_store_files(s, *mailboxes, node_);
  if (!files) return make_error(files.error().code, "store: " + files.error().message);
  store::FileMailStoreOptions store_options;
  store_options.host_name = node_;
  store_ = std::make_unique<store::FileMailStore>(files->fs, store_options);
  lease_ = files->lease;
  if (lease_ && (mailboxes->base_dir == s.server_data_dir || mailboxes->base_dir.starts_with(s.server_data_dir + "/")))
    dlog().with("store", mailboxes->base_dir).with("data_dir", s.server_data_dir)
        .warn("cluster.virtual_ip is set but the mail store is in this node's own folder: the other node cannot see "
              "it, and each node takes a lease of its own; set store.root (and queue.dir) to the shared folder");
  auto queue_where = store_settings::queue_location(s, *mailboxes, files->share);
  if (!queue_where) return make_error(queue_where.error().code, "queue: " + queue_where.error().message);
  if (lease_) queue_where->fs = store::fenced_file_system(queue_where->fs, lease_);  // every commit asks the lease
  queue_local_dir_ = queue_where->local_dir;
  auto q = queue::FileQueue::open(std::move(*queue_where), node_);
  if (!q) return make_error(q.error().code, "queue: " + q.error().message);
  queue_ = std::move(*q);

  io_ = std::make_unique<net::IoThreads>(static_cast<std::size_t>(s.server_io_threads));
  pool_ = std::make_unique<net::BlockingPool>(static_cast<std::size_t>(s.server_blocking_threads));

  // Aliases answer before the backend's accounts, for RCPT and for delivery alike.
  aliasing_ = std::make_unique<features::AliasingDirectory>(*directory_.directory);
  delivery_ = std::make_unique<delivery::LocalDelivery>(*queue_, *aliasing_, *store_, delivery_options(s));
  auto mx = delivery::make_mx_resolver(s);
  if (!mx) return make_error(mx.error().code, "delivery: " + mx.error().message);
  mx_ = std::move(*mx);
  auto peers = delivery::make_peer_security(s);
  if (!peers) return make_error(peers.error().code, peers.error().message);
  peers_ = std::move(*peers);
  remote_ = std::make_unique<delivery::RemoteDelivery>(*mx_, remote_options(s, peers_));
  delivery_->set_remote(remote_.get());

  for (auto* svc : {&smtp_, &submission_}) {
    *svc = std::make_shared<smtp::SmtpService>();
    (*svc)->directory = aliasing_.get();
    (*svc)->limiter = limiter_.get();
    (*svc)->queue = queue_.get();
    (*svc)->store = store_.get();
    (*svc)->pool = pool_.get();
    (*svc)->sessions = &sessions_;
    (*svc)->on_queued = [d = delivery_.get()](const std::string& id) { d->enqueue(id); };
  }
  smtp_->name = "smtp";
  submission_->name = "submission";

  pop3_ = std::make_shared<pop3::Pop3Service>();
  pop3_->directory = directory_.directory.get();
  pop3_->limiter = limiter_.get();
  pop3_->store = store_.get();
  pop3_->pool = pool_.get();
  pop3_->sessions = &sessions_;

  imap_ = std::make_shared<imap::ImapService>();
  imap_->directory = directory_.directory.get();
  imap_->limiter = limiter_.get();
  imap_->store = store_.get();
  imap_->pool = pool_.get();
  imap_->sessions = &sessions_;
  apply_options();

  // A cluster node delivers only while it is active (the role gate starts delivery).
  if (!s.delivery_enabled) {
    dlog().warn("delivery is off on this node (delivery.enabled = false): messages stay queued");
  } else if (!lease_) {
    if (auto st = delivery_->start(); !st) return make_error(st.error().code, "delivery: " + st.error().message);
  }
  io_->start();

  if (lease_) admission_ = net::Admission::loopback_only;  // standby until the engine says otherwise
  sync_all_listeners();
  if (!start_errors_.empty()) {
    std::string all;
    for (auto& e : start_errors_) all += (all.empty() ? "" : "; ") + e;
    return make_error(ErrorCode::io_error, all);
  }
  if (lease_) start_role_gate();
  start_group_policy();
  // Last: the collector reads members that are all set by now (the role gate's too).
  metrics_collector_ = metrics::registry().add_collector([this](metrics::Samples& samples) { collect_metrics(samples); });
  dlog().with("node", node_).with("hostname", hostname_).with("config", config_path_).info("started");
  return ok_status();
}

void Daemon::start_role_gate() {
  RoleGateActions actions;
  actions.admit = [this](net::Admission admission) {
    std::lock_guard lock(counters_mu_);
    admission_ = admission;
    for (auto& [service, counter] : counters_)
      if (service != kMetricsService) counter->admission = admission;
  };
  // delivery.enabled is read at start only: the copy keeps the gate's thread off settings_.
  actions.start_delivery = [this, enabled = settings_.delivery_enabled] {
    std::lock_guard lock(delivery_switch_);  // never after shutdown() stopped delivery
    if (!enabled || shutting_down_) return;
    if (auto st = delivery_->start(); !st)
      dlog().with("error", st.error().message).error("delivery did not start; it is tried again when the node is next made active");
  };
  actions.stop_delivery = [this] { delivery_->stop(); };
  actions.close_sessions = [this] { sessions_.stop_current(); };
  actions.sole_writer = [this](bool alone) { pop3_->sole_writer = alone; };
  gate_ = std::make_unique<ClusterRoleGate>(lease_, settings_.server_data_dir, node_, std::move(actions));
  gate_->set_settings(config::shared_setting_lines(settings_));
  gate_->start();
}

void Daemon::start_group_policy() {
  if (!directory::group_policy_enabled(file_settings_)) return;
  if (!directory_.ldap || file_settings_.directory_backend != "ad") {
    dlog().warn("policy.group_policy = \"on\" needs the ad backend (directory.backend = \"ad\"): no Group Policy applied");
    return;
  }
  auto source = std::make_unique<directory::GroupPolicySource>(file_settings_, *directory_.ldap);
  dlog().with("computer", directory::group_policy_computer_account(file_settings_))
      .with("refresh_interval", settings_.policy_refresh_interval).info("Group Policy on");
  policy_refresh_ = std::make_unique<GroupPolicyRefresh>(
      std::move(source), std::chrono::seconds(settings_.policy_refresh_interval),
      [this](Result<directory::GroupPolicyFetch> fetched) {
        net::asio::post(control_, [this, fetched = std::move(fetched)]() mutable { on_policy_fetched(std::move(fetched)); });
      });
  policy_refresh_->start();
}

void Daemon::on_policy_fetched(Result<directory::GroupPolicyFetch> fetched) {
  if (!fetched && fetched.error().code == ErrorCode::not_found) {
    // Most often a server not joined under the expected name: a setup matter, not an outage.
    dlog().with("error", fetched.error().message)
        .warn("Group Policy not read: set policy.computer_account to this server's computer account, or "
              "policy.group_policy = \"off\"; the policy applied last stays");
    return;
  }
  if (!fetched) {
    dlog().with("error", fetched.error().message).error("Group Policy not refreshed; the policy applied last stays");
    return;
  }
  for (const auto& skipped : fetched->skipped) dlog().with("gpo", skipped).warn("Group Policy: GPO not applied");
  if (fetched->gpos == policy_gpos_) return;
  auto merged = config::policy_of(fetched->gpos);
  if (!merged) {
    dlog().with("error", merged.error().message).error("Group Policy refused; the policy applied last stays");
    return;
  }
  for (const auto& problem : merged->problems) dlog().warn(problem);
  const config::Settings before = settings_;
  auto previous_gpos = std::move(policy_gpos_);
  auto previous_policy = std::move(policy_);
  policy_gpos_ = std::move(fetched->gpos);
  policy_ = std::move(*merged);
  if (!apply_settings(file_settings_, "Group Policy")) {
    policy_gpos_ = std::move(previous_gpos);
    policy_ = std::move(previous_policy);
    return;
  }
  if (auto saved = config::save_policy_state(config::policy_state_file(file_settings_), policy_gpos_); !saved)
    dlog().with("error", saved.error().message).error("Group Policy applied but not kept for the next start");
  for (const auto& spec : config::setting_specs()) {
    const auto now = config::setting_value(settings_, spec);
    if (now == config::setting_value(before, spec)) continue;
    const config::PolicyOverride* o = policy_.find(spec.name);
    dlog().with("setting", spec.name).with("value", config::format_setting_value(now))
        .with("gpo", o ? o->gpo_name : std::string("(none: dirmail.toml or the default)"))
        .info("Group Policy changed a setting");
  }
}

Result<std::shared_ptr<auth::Authenticator>> Daemon::make_authenticator(const config::Settings& s) {
  auto secrets = directory::open_secrets_file(s);
  if (!secrets) return std::move(secrets).error();
  if (*secrets) dlog().with("file", s.auth_secrets_file).info("SMTP-AUTH/APOP secrets file opened");
  return std::make_shared<auth::Authenticator>(*directory_.directory, *verifier_, std::move(*secrets),
                                               s.auth_master_users);
}

void Daemon::sync_all_listeners() {
  const auto& s = settings_;
  net::SessionHandler smtp = [svc = smtp_](net::Connection c) { return smtp::run_smtp_session(svc, std::move(c)); };
  net::SessionHandler submission = [svc = submission_](net::Connection c) {
    return smtp::run_smtp_session(svc, std::move(c));
  };
  net::SessionHandler pop3 = [svc = pop3_](net::Connection c) { return pop3::run_pop3_session(svc, std::move(c)); };
  net::SessionHandler imap = [svc = imap_](net::Connection c) { return imap::run_imap_session(svc, std::move(c)); };
  sync_listeners("smtp", s.smtp_enabled, s.smtp_listen,
                 {s.smtp_max_connections, s.smtp_max_connections_per_ip, s.smtp_refuse_on_addresses}, smtp,
                 after_tls_handshake(smtp_, smtp));
  sync_listeners("submission", s.submission_enabled, s.submission_listen,
                 {s.submission_max_connections, s.submission_max_connections_per_ip, s.submission_refuse_on_addresses},
                 submission, after_tls_handshake(submission_, submission));
  sync_listeners("pop3", s.pop3_enabled, s.pop3_listen,
                 {s.pop3_max_connections, s.pop3_max_connections_per_ip, s.pop3_refuse_on_addresses}, pop3,
                 after_tls_handshake(pop3_, pop3));
  sync_listeners("imap", s.imap_enabled, s.imap_listen,
                 {s.imap_max_connections, s.imap_max_connections_per_ip, s.imap_refuse_on_addresses}, imap,
                 after_tls_handshake(imap_, imap));
  // A handful of scrapers at most; a standby or fenced node still answers them.
  static const std::vector<std::string> none;
  net::SessionHandler metrics = [](net::Connection c) { return run_metrics_session(std::move(c)); };
  sync_listeners(std::string(kMetricsService), s.metrics_enabled, s.metrics_listen, {16, 0, none}, metrics, metrics);
}

void Daemon::sync_listeners(const std::string& service, bool enabled, const std::vector<std::string>& entries,
                            const ConnectionPolicy& policy, const net::SessionHandler& handler,
                            const net::SessionHandler& tls_handler) {
  std::unique_lock counters_lock(counters_mu_);  // the role gate sets admission from its thread
  auto& counter = counters_[service];
  if (!counter) {
    counter = std::make_shared<net::ConnectionCounter>();
    counter->admission = service == kMetricsService ? net::Admission::everyone : admission_;
  }
  counters_lock.unlock();
  counter->limit = policy.max_connections;
  counter->per_address_limit = policy.max_per_address;
  counter->count_loopback = settings_.server_limit_loopback_connections;
  std::vector<std::string> refused;
  for (const auto& a : policy.refused_local_addresses) {
    boost::system::error_code ec;
    auto address = net::asio::ip::make_address(a, ec);
    if (ec) {
      start_errors_.push_back(fmt::format("{}.refuse_on_addresses: \"{}\" is not an IP address", service, a));
      continue;
    }
    refused.push_back(address.to_string());  // the form the accepted socket reports
  }
  counter->set_refused_local_addresses(std::move(refused));
  auto& open = listeners_[service];
  std::map<std::string, bool> wanted;
  if (enabled)
    for (const auto& e : entries) wanted[e] = true;
  for (auto it = open.begin(); it != open.end();) {
    if (!wanted.count(it->first)) {
      it->second->close();
      dlog().with("service", service).with("listen", it->first).info("listener closed");
      it = open.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [entry, unused] : wanted) {
    if (open.count(entry)) continue;
    auto parsed = config::parse_listen_entry(entry);  // validated at load; checked again for safety
    if (!parsed) {
      start_errors_.push_back(fmt::format("{}: {}", service, parsed.error().message));
      continue;
    }
    net::tcp::endpoint endpoint(net::asio::ip::make_address(parsed->address), parsed->port);
    auto listener = std::make_shared<net::Listener>(*io_, endpoint, service, counter,
                                                    parsed->implicit_tls ? tls_handler : handler);
    if (auto st = listener->open(); !st) {
      start_errors_.push_back(st.error().message);
      dlog().with("service", service).with("listen", entry).with("error", st.error().message).error("cannot listen");
      continue;
    }
    listener->start();
    open.emplace(entry, listener);
    dlog().with("service", service).with("listen", entry).info("listening");
  }
}

void Daemon::run() {
  net::asio::signal_set signals(control_, SIGTERM, SIGINT, SIGHUP);
  signals.add(SIGUSR1);
  bool stop = false;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int sig) {
    if (ec) return;
    if (sig == SIGHUP || sig == SIGUSR1) {
      if (sig == SIGHUP) (void)reload();
      else if (settings_.delivery_enabled) delivery_->flush();  // dirmailctl queue flush (no workers: no effect)
      signals.async_wait(on_signal);
      return;
    }
    dlog().with("signal", sig).info("stopping");
    stop = true;
  };
  signals.async_wait(on_signal);
  // Only now, with SIGUSR1 handled (its default action ends the process), may
  // dirmailctl find this process.
  auto pid_file = queue::DaemonPidFile::claim(queue_local_dir_, node_);
  if (!pid_file) dlog().with("error", pid_file.error().message).warn("no pid file: dirmailctl queue flush cannot reach this process");
  while (!stop) control_.run_one();
  shutdown();
}

Status Daemon::reload() {
  auto fresh = store_settings::load_node_settings(config_path_, [](const std::string& w) { dlog().warn(w); });
  if (!fresh) {
    dlog().with("config", config_path_).with("error", fresh.error().message).error("reload refused; keeping the running settings");
    last_reload_ = {std::chrono::system_clock::now(), "reload", fresh.error().message};
    return std::move(fresh).error();
  }
  Status applied = apply_settings(*fresh, "reload");
  if (applied) file_settings_ = std::move(*fresh);
  return applied;
}

Status Daemon::apply_settings(const config::Settings& file, std::string_view what) {
  last_reload_ = {std::chrono::system_clock::now(), std::string(what), {}};
  auto refuse = [&](const std::string& why) -> Status {
    dlog().with("config", config_path_).with("error", why).error(std::string(what) + " refused; keeping the running settings");
    last_reload_.error = why;
    return make_error(ErrorCode::invalid_argument, why);
  };
  config::Settings with_policy = file;
  config::apply_policy(policy_, with_policy);
  const auto& n = with_policy;
  const auto& o = settings_;
  // The certificate is read again (it may have been renewed); new connections use it.
  auto tls = tls_from_settings(n);
  if (!tls) {
    return refuse(tls.error().message);
  }
  // The mailbox template may change on reload; where it lies (backend, root, path map)
  // is read at start. A template that cannot work with them is refused here.
  config::Settings store_probe = n;
  store_probe.store_backend = o.store_backend;
  store_probe.store_root = o.store_root;
  store_probe.store_path_map = o.store_path_map;
  store_probe.server_data_dir = o.server_data_dir;
  if (auto mailboxes = checked_mailbox_location(store_probe); !mailboxes) {
    return refuse(mailboxes.error().message);
  }
  auto problems = settings_problems(n);
  if (!problems.empty()) {
    return refuse(problems.front());
  }
  auto authenticator = make_authenticator(n);
  if (!authenticator) {
    return refuse(authenticator.error().message);
  }
  // A renewed keytab (new KVNO after a password change of the service account).
  auto gssapi = gssapi_acceptors(n);
  if (!gssapi) {
    return refuse(gssapi.error().message);
  }
  // The TLS policy, CA file and credentials file, read again.
  auto peers = delivery::make_peer_security(n);
  if (!peers) {
    return refuse(peers.error().message);
  }
  tls_ = std::move(*tls);
  authenticator_ = std::move(*authenticator);
  gssapi_ = std::move(*gssapi);
  peers_ = std::move(*peers);
  if (directory_settings_changed(n, o) || n.store_backend != o.store_backend || n.store_root != o.store_root ||
      n.store_path_map != o.store_path_map || n.store_smb_credentials_file != o.store_smb_credentials_file ||
      n.store_smb_logon != o.store_smb_logon ||
      n.store_smb_connections != o.store_smb_connections || n.store_smb_timeout != o.store_smb_timeout ||
      n.queue_dir != o.queue_dir || n.server_io_threads != o.server_io_threads ||
      n.server_blocking_threads != o.server_blocking_threads || n.server_data_dir != o.server_data_dir ||
      n.delivery_local_workers != o.delivery_local_workers || n.log_dir != o.log_dir ||
      n.server_node_name != o.server_node_name || n.delivery_enabled != o.delivery_enabled ||
      n.delivery_dns_servers != o.delivery_dns_servers || n.delivery_dns_timeout != o.delivery_dns_timeout ||
      n.delivery_dns_tries != o.delivery_dns_tries || n.delivery_mx_cache_lifetime != o.delivery_mx_cache_lifetime ||
      n.delivery_address_preference != o.delivery_address_preference || n.server_control_socket != o.server_control_socket)
    dlog().warn("some changed settings (storage, directory, threads, log folder, delivery switch, DNS, control socket) take effect at the next restart");
  std::string keep_node = node_;
  config::Settings merged = n;
  // Settings that need a restart keep their running values.
  keep_directory_settings(merged, o);
  merged.store_backend = o.store_backend;
  merged.store_root = o.store_root;
  merged.store_path_map = o.store_path_map;
  merged.store_smb_credentials_file = o.store_smb_credentials_file;
  merged.store_smb_logon = o.store_smb_logon;
  merged.store_smb_connections = o.store_smb_connections;
  merged.store_smb_timeout = o.store_smb_timeout;
  merged.queue_dir = o.queue_dir;
  merged.server_io_threads = o.server_io_threads;
  merged.server_blocking_threads = o.server_blocking_threads;
  merged.server_data_dir = o.server_data_dir;
  merged.delivery_local_workers = o.delivery_local_workers;
  merged.delivery_enabled = o.delivery_enabled;
  merged.delivery_dns_servers = o.delivery_dns_servers;
  merged.delivery_dns_timeout = o.delivery_dns_timeout;
  merged.delivery_dns_tries = o.delivery_dns_tries;
  merged.delivery_mx_cache_lifetime = o.delivery_mx_cache_lifetime;
  merged.delivery_address_preference = o.delivery_address_preference;
  merged.log_dir = o.log_dir;
  merged.server_node_name = o.server_node_name;
  merged.server_control_socket = o.server_control_socket;
  settings_ = std::move(merged);
  log::init(log_options(settings_, keep_node));
  apply_options();
  start_errors_.clear();
  sync_all_listeners();
  if (policy_refresh_) policy_refresh_->set_interval(std::chrono::seconds(settings_.policy_refresh_interval));
  if (gate_) gate_->set_settings(config::shared_setting_lines(settings_));
  dlog().with("config", config_path_).info(what == "reload" ? std::string("reloaded") : std::string(what) + " applied");
  return ok_status();
}

void Daemon::shutdown() {
  {
    std::lock_guard lock(delivery_switch_);
    shutting_down_ = true;  // the role gate starts no delivery from here
  }
  if (policy_refresh_) policy_refresh_->stop();
  control_socket_.reset();
  metrics_collector_.reset();  // a render in progress finishes first
  if (!io_) return;
  for (auto& [service, open] : listeners_)
    for (auto& [entry, listener] : open) listener->close();
  listeners_.clear();
  sessions_.stop_all();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(settings_.server_shutdown_grace);
  while (sessions_.size() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (sessions_.size() > 0) dlog().with("sessions", sessions_.size()).warn("grace period over; closing sessions");
  io_->stop();
  if (delivery_) delivery_->stop();
  if (directory_.ldap) directory_.ldap->stop();
  pool_.reset();
  // Last, once nothing writes any more (the lease is renewed until then): releases the
  // lease, so that the other node takes over at once.
  if (gate_) gate_->stop();
  io_.reset();
  dlog().info("stopped");
  log::flush_all();
}

}  // namespace dirmail::daemon
