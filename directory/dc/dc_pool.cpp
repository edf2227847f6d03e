#include "dirmail/directory/dc_pool.hpp"

#include <fmt/format.h>

#include "dirmail/base/log.hpp"

namespace dirmail::directory {
namespace {

using Clock = std::chrono::steady_clock;

log::LogLine dirlog() { return log::LogLine(log::service("directory"), log::Record::directory); }

bool dc_failed(const Status& outcome) {
  // The DC could not answer, or will not let us in (our bind refused, TLS refused):
  // either way another DC may do better.
  return !outcome && (outcome.error().code == ErrorCode::temporary_failure ||
                      outcome.error().code == ErrorCode::permission_denied);
}

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

}  // namespace

DcPool::DcPool(DcPoolOptions options) : options_(std::move(options)), health_({}, options_.failback_after) {
  std::lock_guard lock(health_mu_);
  install_locked(options_.uris);
}

DcPool::~DcPool() { stop(); }

void DcPool::install_locked(std::vector<std::string> uris) {
  auto servers = std::make_shared<Servers>();
  servers->uris = std::move(uris);
  for (std::size_t i = 0; i < servers->uris.size(); ++i) servers->idle.push_back(std::make_unique<Idle>());
  health_ = DcHealthTable(servers->uris, options_.failback_after);
  servers_ = std::move(servers);
}

DcPool::ServersPtr DcPool::current_servers() {
  std::lock_guard lock(health_mu_);
  return servers_;
}

void DcPool::rediscover_if_due() {
  if (!options_.discover) return;
  {
    std::lock_guard lock(health_mu_);
    auto now = Clock::now();
    if (now < next_discovery_) return;
    // Another request may start discovery meanwhile: this one only reserves the slot.
    next_discovery_ = now + options_.probe_interval;
  }
  auto found = options_.discover();
  std::lock_guard relock(health_mu_);
  if (!found || found->empty()) {
    std::string error = found ? "no domain controller in DNS" : found.error().message;
    if (error != discovery_error_) dirlog().with("error", error).error("domain controller discovery failed");
    discovery_error_ = error;
    return;
  }
  discovery_error_.clear();
  next_discovery_ = Clock::now() + options_.rediscover_interval;
  if (servers_ && servers_->uris == *found) return;
  std::string list;
  for (const auto& u : *found) list += (list.empty() ? "" : " ") + u;
  dirlog().with("servers", list).info("domain controllers found in DNS");
  install_locked(std::move(*found));
}

void DcPool::start_probing() {
  if (prober_.joinable()) return;
  prober_ = std::thread([this] { probe_loop(); });
}

void DcPool::stop() {
  {
    std::lock_guard lock(probe_mu_);
    stopping_ = true;
  }
  probe_cv_.notify_all();
  if (prober_.joinable()) prober_.join();
}

Result<std::unique_ptr<LdapConnection>> DcPool::connect(const std::string& uri) {
  LdapConnectionOptions o = options_.connection;
  o.uri = uri;
  return LdapConnection::open(o);
}

std::unique_ptr<LdapConnection> DcPool::take_idle(Idle& idle) {
  std::lock_guard lock(idle.mu);
  if (idle.connections.empty()) return nullptr;
  auto c = std::move(idle.connections.back());
  idle.connections.pop_back();
  return c;
}

void DcPool::give_back(Idle& idle, std::unique_ptr<LdapConnection> connection) {
  std::lock_guard lock(idle.mu);
  if (idle.connections.size() < options_.max_idle_per_dc) idle.connections.push_back(std::move(connection));
}

Status DcPool::run_on(const ServersPtr& servers, std::size_t index, const Operation& op) {
  Idle& idle = *servers->idle[index];
  // A kept connection may have been closed by the DC meanwhile (idle timeout, DC
  // restart): that is not the DC failing, so try once more on a fresh connection.
  if (auto kept = take_idle(idle)) {
    Status outcome = op(*kept);
    if (!dc_failed(outcome)) {
      give_back(idle, std::move(kept));
      return outcome;
    }
  }
  auto fresh = connect(servers->uris[index]);
  if (!fresh) return std::move(fresh).error();
  Status outcome = op(**fresh);
  if (!dc_failed(outcome)) give_back(idle, std::move(*fresh));
  return outcome;
}

void DcPool::record(const ServersPtr& servers, std::size_t index, const Status& outcome,
                    std::chrono::milliseconds latency, bool request) {
  DcTransition t;
  std::vector<DcStatus> all;
  {
    std::lock_guard lock(health_mu_);
    if (servers != servers_) return;  // the list changed meanwhile: this result is about the old one
    if (dc_failed(outcome))
      t = health_.record_failure(index, outcome.error().message, Clock::now(), request);
    else
      t = health_.record_success(index, latency, Clock::now(), request);
    if (t.outage_started) all = health_.status(Clock::now());
  }
  const std::string& uri = servers->uris[index];
  if (t.went_down) dirlog().with("dc", uri).with("error", outcome.error().message).warn("directory server failed");
  if (t.came_back)
    dirlog().with("dc", uri).with("latency_ms", static_cast<std::int64_t>(latency.count())).info("directory server answers again");
  if (t.active_changed)
    dirlog().with("dc", uri).with("preferred", index == 0 ? "yes" : "no").warn("lookups moved to another directory server");
  if (t.outage_started) {
    std::string tried;
    for (const auto& dc : all) tried += fmt::format("{}{} ({})", tried.empty() ? "" : "; ", dc.uri, dc.last_error);
    dirlog().with("tried", tried).error("no directory server reachable");
  }
  if (t.outage_ended)
    dirlog().with("dc", uri).with("outage_s", static_cast<std::int64_t>(t.outage_length.count())).warn("directory reachable again");
}

Status DcPool::run(const Operation& op) {
  ServersPtr servers = current_servers();
  if (servers->uris.empty()) {
    rediscover_if_due();
    servers = current_servers();
    if (servers->uris.empty()) {
      std::lock_guard lock(health_mu_);
      return make_error(ErrorCode::temporary_failure,
                        "no directory server known" + (discovery_error_.empty() ? "" : ": " + discovery_error_));
    }
  }
  std::vector<std::size_t> order;
  {
    std::lock_guard lock(health_mu_);
    if (servers != servers_) servers = servers_;
    order = health_.order(Clock::now());
  }
  std::string errors;
  if (order.empty()) {
    for (const auto& dc : status())
      errors += fmt::format("{}{}: {}", errors.empty() ? "" : "; ", dc.uri, dc.last_error);
    return make_error(ErrorCode::temporary_failure, "every directory server is failing: " + errors);
  }
  for (std::size_t index : order) {
    auto start = Clock::now();
    Status outcome = run_on(servers, index, op);
    record(servers, index, outcome, since(start), true);
    if (!dc_failed(outcome)) return outcome;
    errors += fmt::format("{}{}: {}", errors.empty() ? "" : "; ", servers->uris[index], outcome.error().message);
  }
  return make_error(ErrorCode::temporary_failure, "no directory server answered: " + errors);
}

std::vector<DcStatus> DcPool::status() const {
  std::lock_guard lock(health_mu_);
  return health_.status(Clock::now());
}

void DcPool::probe_loop() {
  for (;;) {
    {
      std::unique_lock lock(probe_mu_);
      if (probe_cv_.wait_for(lock, options_.probe_interval, [this] { return stopping_; })) return;
    }
    rediscover_if_due();
    ServersPtr servers;
    std::vector<std::size_t> targets;
    {
      std::lock_guard lock(health_mu_);
      servers = servers_;
      targets = health_.probe_targets();
    }
    for (std::size_t index : targets) {
      auto start = Clock::now();
      Status outcome = [&]() -> Status {
        auto c = connect(servers->uris[index]);
        if (!c) return std::move(c).error();
        auto root = (*c)->root_dse({"currentTime"});
        if (!root) return std::move(root).error();
        give_back(*servers->idle[index], std::move(*c));
        return ok_status();
      }();
      record(servers, index, outcome, since(start), false);
      std::lock_guard lock(probe_mu_);
      if (stopping_) return;
    }
  }
}

}  // namespace dirmail::directory
