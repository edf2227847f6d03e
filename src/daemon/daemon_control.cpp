// Daemon::control_command: what dirmailctl asks the running daemon through the control
// socket. Each reply is one JSON object with "ok"; a refusal carries "error".
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/strings.hpp"
#include "daemon.hpp"

namespace dirmail::daemon {
namespace {

namespace json = boost::json;

std::string reply(json::object o) { return json::serialize(o); }

std::string refusal(std::string_view error) { return reply({{"ok", false}, {"error", error}}); }

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

constexpr std::string_view kCommands = "status, reload, flush, metrics";

}  // namespace

std::string Daemon::control_command(std::string_view line, const ControlPeer& peer) {
  const std::string command(trim(line));
  if (command.empty() || command.find_first_of(" \t") != std::string::npos)
    return refusal(fmt::format("one command expected: {}", kCommands));
  auto logged = [&](std::string_view what) {
    log::LogLine(log::service("daemon"), log::Record::daemon).with("command", command).with("uid", peer.uid)
        .with("pid", peer.pid).info(what);
  };
  if (command == "status") return status_json();
  if (command == "metrics") return reply({{"ok", true}, {"text", metrics::registry().render()}});
  if (command == "reload") {
    logged("reload asked through the control socket");
    start_errors_.clear();
    Status st = reload();
    if (!st) return refusal(st.error().message);
    json::array problems;
    for (const auto& e : start_errors_) problems.emplace_back(e);
    return reply({{"ok", true}, {"message", "reloaded"}, {"listener_errors", problems}});
  }
  if (command == "flush") {
    logged("queue flush asked through the control socket");
    json::object o{{"ok", true}, {"pid", static_cast<std::int64_t>(::getpid())}};
    if (!settings_.delivery_enabled) {
      o["note"] = "delivery.enabled is false on this node";
    } else if (gate_ && gate_->view().state != NodeState::active) {
      o["note"] = "this cluster node is not active: the active node delivers the queue";
    }
    if (settings_.delivery_enabled) delivery_->flush();  // on a standby: no workers, no effect
    return reply(std::move(o));
  }
  // Echoed as text JSON can carry (the client may send any bytes).
  std::string shown = valid_utf8(command) ? escape_control(command) : std::string("(not UTF-8)");
  return refusal(fmt::format("unknown command \"{}\"; commands: {}", shown, kCommands));
}

std::string Daemon::status_json() {
  const auto now = std::chrono::system_clock::now();
  json::object o;
  o["ok"] = true;
  o["node"] = node_;
  o["hostname"] = hostname_;
  o["version"] = DIRMAIL_VERSION;
  o["pid"] = static_cast<std::int64_t>(::getpid());
  o["config"] = config_path_;
  o["started"] = unix_seconds(started_at_);
  o["uptime_s"] = unix_seconds(now) - unix_seconds(started_at_);

  json::object services;
  {
    std::lock_guard lock(counters_mu_);
    for (const auto& [service, counter] : counters_) {
      json::array listening;
      if (auto it = listeners_.find(service); it != listeners_.end())
        for (const auto& [entry, listener] : it->second) listening.emplace_back(entry);
      services[service] = {{"listening", listening}, {"sessions", counter->active.load()},
                           {"max_connections", counter->limit.load()}};
    }
  }
  o["services"] = services;

  json::object delivery;
  delivery["enabled"] = settings_.delivery_enabled;
  if (delivery_) {
    auto q = delivery_->queue_summary();
    delivery["queued_messages"] = q.messages;
    if (q.oldest_arrival_us)
      delivery["oldest_message_age_s"] = unix_seconds(now) - *q.oldest_arrival_us / 1000000;
  }
  o["delivery"] = delivery;

  json::object dir;
  dir["backend"] = directory_.directory ? std::string(directory_.directory->backend_name()) : std::string();
  if (directory_.ldap) {
    json::array servers;
    bool any_up = false;
    for (const auto& dc : directory_.ldap->servers()) {
      any_up = any_up || dc.healthy;
      json::object d{{"uri", dc.uri}, {"healthy", dc.healthy}, {"active", dc.active},
                     {"last_latency_ms", dc.last_latency.count()}, {"requests", dc.requests},
                     {"failures", dc.failures}, {"state_age_s", dc.state_age.count()}};
      if (!dc.last_error.empty()) d["last_error"] = dc.last_error;
      servers.emplace_back(std::move(d));
    }
    dir["servers"] = servers;
    dir["outage"] = !any_up;
    auto c = directory_.ldap->counters();
    dir["answers"] = {{"live", c.live_answers}, {"cache", c.cache_hits}, {"stale", c.stale_answers},
                      {"failed", c.failed_lookups}};
  }
  o["directory"] = dir;

  if (gate_) {
    auto view = gate_->view();
    json::object cluster{{"state", to_string(view.state)}, {"engine_role", view.engine_role}, {"why", view.why},
                         {"in_state_s", view.in_state.count()}};
    if (lease_) {
      auto lease = lease_->view();
      cluster["lease_state"] = cluster::to_string(lease.state);
      cluster["lease_epoch"] = lease.epoch;
    }
    o["cluster"] = cluster;
  }

  if (last_reload_.at != std::chrono::system_clock::time_point{}) {
    json::object r{{"at", unix_seconds(last_reload_.at)}, {"what", last_reload_.what}, {"ok", last_reload_.error.empty()}};
    if (!last_reload_.error.empty()) r["error"] = last_reload_.error;
    o["last_reload"] = r;
  }
  return reply(std::move(o));
}

}  // namespace dirmail::daemon
