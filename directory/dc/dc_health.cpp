#include "dirmail/directory/dc_health.hpp"

namespace dirmail::directory {

DcHealthTable::DcHealthTable(std::vector<std::string> uris, std::chrono::seconds failback_after)
    : failback_after_(failback_after) {
  for (auto& uri : uris) dcs_.push_back(Dc{std::move(uri)});
}

bool DcHealthTable::may_take_traffic(std::size_t index, Clock::time_point now) const {
  const Dc& dc = dcs_[index];
  if (!dc.healthy) return false;
  bool have_active = active_ && dcs_[*active_].healthy;
  if (!have_active || *active_ == index) return true;
  // Never failed, or healthy again for long enough.
  return dc.since == Clock::time_point{} || now - dc.since >= failback_after_;
}

std::vector<std::size_t> DcHealthTable::order(Clock::time_point now) {
  std::vector<std::size_t> first, then, last;
  for (std::size_t i = 0; i < dcs_.size(); ++i) {
    if (may_take_traffic(i, now))
      first.push_back(i);
    else if (dcs_[i].healthy)
      then.push_back(i);
    else if (dcs_[i].last_try == Clock::time_point{} || now - dcs_[i].last_try >= retry_failed_after_)
      last.push_back(i);
  }
  first.insert(first.end(), then.begin(), then.end());
  if (!first.empty()) return first;
  for (std::size_t i : last) dcs_[i].last_try = now;
  return last;
}

DcTransition DcHealthTable::record_success(std::size_t index, std::chrono::milliseconds latency,
                                           Clock::time_point now, bool request) {
  DcTransition t;
  Dc& dc = dcs_[index];
  if (request) ++dc.requests;
  dc.last_latency = latency;
  ++dc.answers;
  dc.answer_time += latency;
  if (!dc.healthy) {
    dc.healthy = true;
    dc.since = now;
    t.came_back = true;
  }
  if (outage_) {
    outage_ = false;
    t.outage_ended = true;
    t.outage_length = std::chrono::duration_cast<std::chrono::seconds>(now - outage_since_);
  }
  // A probe success does not move traffic: failback waits for failback_after, then
  // happens through order() on the next request.
  if (request && active_ != index) {
    t.active_changed = active_.has_value();
    active_ = index;
  }
  return t;
}

DcTransition DcHealthTable::record_failure(std::size_t index, const std::string& error, Clock::time_point now,
                                           bool request) {
  DcTransition t;
  Dc& dc = dcs_[index];
  if (request) ++dc.requests;
  ++dc.failures;
  dc.last_error = error;
  if (dc.healthy) {
    dc.healthy = false;
    dc.since = now;
    t.went_down = true;
  }
  bool any_healthy = false;
  for (const Dc& d : dcs_) any_healthy = any_healthy || d.healthy;
  if (!any_healthy && !outage_) {
    outage_ = true;
    outage_since_ = now;
    t.outage_started = true;
  }
  return t;
}

std::vector<std::size_t> DcHealthTable::probe_targets() const {
  std::vector<std::size_t> targets;
  for (std::size_t i = 0; i < dcs_.size(); ++i)
    if (!active_ || *active_ != i || !dcs_[i].healthy) targets.push_back(i);
  return targets;
}

std::vector<DcStatus> DcHealthTable::status(Clock::time_point now) const {
  std::vector<DcStatus> out;
  for (std::size_t i = 0; i < dcs_.size(); ++i) {
    const Dc& dc = dcs_[i];
    DcStatus s;
    s.uri = dc.uri;
    s.preferred = i == 0;
    s.healthy = dc.healthy;
    s.active = active_ == i && dc.healthy;
    s.last_latency = dc.last_latency;
    s.last_error = dc.last_error;
    s.state_age = dc.since == Clock::time_point{}
                      ? std::chrono::seconds(0)
                      : std::chrono::duration_cast<std::chrono::seconds>(now - dc.since);
    s.requests = dc.requests;
    s.answers = dc.answers;
    s.answer_time = dc.answer_time;
    s.failures = dc.failures;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace dirmail::directory
