// Daemon::collect_metrics: the state the metrics show beside the counted events
// (sessions open, queue, domain controllers, cluster role), read when they are rendered.
#include <chrono>

#include "daemon.hpp"
#include "metrics_endpoint.hpp"
#include "process_metrics.hpp"

namespace dirmail::daemon {
namespace {

using metrics::Kind;

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

void collect_directory(const directory::LdapDirectory& ldap, metrics::Samples& s) {
  bool any_up = false;
  for (const auto& dc : ldap.servers()) {
    const metrics::Samples::Labels dc_label{{"dc", dc.uri}};
    any_up = any_up || dc.healthy;
    s.add("dirmail_directory_dc_up", "1 when the domain controller answers, 0 while it is failed.", Kind::gauge,
          dc_label, dc.healthy ? 1 : 0);
    s.add("dirmail_directory_dc_active", "1 for the domain controller lookups go to now.", Kind::gauge, dc_label,
          dc.active ? 1 : 0);
    s.add("dirmail_directory_dc_requests_total", "Lookups sent to the domain controller.", Kind::counter, dc_label,
          static_cast<double>(dc.requests));
    s.add("dirmail_directory_dc_failures_total", "Lookups and probes the domain controller failed (timeouts, "
          "refused connections, errors).", Kind::counter, dc_label, static_cast<double>(dc.failures));
    s.add("dirmail_directory_dc_answers_total", "Answers of the domain controller (lookups and probes).",
          Kind::counter, dc_label, static_cast<double>(dc.answers));
    s.add("dirmail_directory_dc_answer_seconds_total", "Time the domain controller took for its answers, added "
          "up (divide by dirmail_directory_dc_answers_total for the mean).", Kind::counter, dc_label,
          seconds(dc.answer_time));
    s.add("dirmail_directory_dc_last_answer_seconds", "Time the domain controller took for its last answer.",
          Kind::gauge, dc_label, seconds(dc.last_latency));
  }
  s.add("dirmail_directory_outage", "1 while no domain controller answers (lookups get temporary failures or "
        "the snapshot's stale answers).", Kind::gauge, {}, any_up ? 0 : 1);
  const auto c = ldap.counters();
  const char* answers_help = "Directory answers by where they came from: a domain controller (live), the answer "
                             "cache, or the last-known-good snapshot during an outage (stale).";
  s.add("dirmail_directory_answers_total", answers_help, Kind::counter, {{"source", "live"}},
        static_cast<double>(c.live_answers));
  s.add("dirmail_directory_answers_total", answers_help, Kind::counter, {{"source", "cache"}},
        static_cast<double>(c.cache_hits));
  s.add("dirmail_directory_answers_total", answers_help, Kind::counter, {{"source", "stale"}},
        static_cast<double>(c.stale_answers));
  s.add("dirmail_directory_failed_lookups_total", "Lookups no domain controller and no snapshot could answer "
        "(temporary failures for the client).", Kind::counter, {}, static_cast<double>(c.failed_lookups));
  const char* checks_help = "Passwords not checked with a domain controller: recently verified (cached) or "
                            "checked against the snapshot during an outage (offline).";
  s.add("dirmail_directory_password_checks_total", checks_help, Kind::counter, {{"source", "cached"}},
        static_cast<double>(c.cached_logins));
  s.add("dirmail_directory_password_checks_total", checks_help, Kind::counter, {{"source", "offline"}},
        static_cast<double>(c.offline_logins));
}

}  // namespace

void Daemon::collect_metrics(metrics::Samples& s) {
  s.add("dirmail_build_info", "dirmaild's version and node; always 1.", Kind::gauge,
        {{"version", DIRMAIL_VERSION}, {"node", node_}}, 1);
  {
    std::lock_guard lock(counters_mu_);
    for (const auto& [service, counter] : counters_)
      if (service != kMetricsService)  // the scraper itself
        s.add("dirmail_sessions_active", "Connections open now, by service.", Kind::gauge, {{"service", service}},
              static_cast<double>(counter->active.load()));
  }
  if (delivery_) {
    auto q = delivery_->queue_summary();
    s.add("dirmail_queue_messages", "Messages this node's delivery has in hand: waiting, deferred or being "
          "delivered (held ones not included).", Kind::gauge, {}, static_cast<double>(q.messages));
    double age = 0;
    if (q.oldest_arrival_us) {
      auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
      age = std::max<double>(0, static_cast<double>(now_us - *q.oldest_arrival_us) / 1e6);
    }
    s.add("dirmail_queue_oldest_message_age_seconds", "How long the oldest of those messages has been queued; 0 "
          "when there is none.", Kind::gauge, {}, age);
  }
  if (directory_.ldap) collect_directory(*directory_.ldap, s);
  if (gate_) {
    auto view = gate_->view();
    for (auto state : {NodeState::standby, NodeState::acquiring, NodeState::active, NodeState::fenced})
      s.add("dirmail_cluster_role", "1 for this node's cluster role now (standby, acquiring, active, fenced).",
            Kind::gauge, {{"role", std::string(to_string(state))}}, view.state == state ? 1 : 0);
  }
  if (lease_) {
    auto view = lease_->view();
    s.add("dirmail_cluster_lease_epoch", "The store lease's epoch: held (active), lost, or the newest seen "
          "(standby). It grows by one at each takeover.", Kind::gauge, {}, static_cast<double>(view.epoch));
    s.add("dirmail_cluster_lease_held", "1 while this node holds the store lease.", Kind::gauge, {},
          view.state == cluster::LeaseState::active ? 1 : 0);
  }
  collect_process_metrics(s);
}

}  // namespace dirmail::daemon
