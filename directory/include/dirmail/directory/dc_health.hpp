#pragma once
// Which domain controller to ask, in which order: each DC's health, the one in use,
// failover to the next when it fails, and failback to a more preferred DC only once
// it has been healthy again for failback_after (so a flapping DC is not chased).
// Pure bookkeeping with an explicit clock, so it is unit-tested without servers.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dirmail::directory {

struct DcStatus {
  std::string uri;
  bool preferred = false;  // first in the configured order
  bool healthy = true;
  bool active = false;     // the DC lookups go to now
  std::chrono::milliseconds last_latency{0};
  std::string last_error;
  std::chrono::seconds state_age{0};  // how long it has been in its current health
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  std::uint64_t answers = 0;                // successes, the probe's included
  std::chrono::milliseconds answer_time{0};  // their latencies added up (mean: answer_time / answers)
};

// What a recorded event changed, for the caller's log: each is reported once.
struct DcTransition {
  bool went_down = false;      // this DC was healthy and failed
  bool came_back = false;      // this DC was failed and answered
  bool outage_started = false; // no DC is healthy any more
  bool outage_ended = false;   // a DC answered after an outage
  bool active_changed = false; // lookups now go to another DC (failover or failback)
  std::chrono::seconds outage_length{0};
};

class DcHealthTable {
 public:
  using Clock = std::chrono::steady_clock;

  DcHealthTable(std::vector<std::string> uris, std::chrono::seconds failback_after);

  std::size_t size() const { return dcs_.size(); }
  const std::string& uri(std::size_t index) const { return dcs_[index].uri; }
  void set_failback_after(std::chrono::seconds failback_after) { failback_after_ = failback_after; }

  // The DCs to try for a request, best first: healthy ones that may take traffic (the
  // active DC, and any DC healthy for failback_after, in preference order), then the
  // other healthy ones. Failed DCs only when no DC is healthy, and each at most once
  // per retry_failed_after, so that during an outage a burst of lookups does not
  // each wait for hung DCs' timeouts (the probe and the spaced retries still try).
  std::vector<std::size_t> order(Clock::time_point now);
  void set_retry_failed_after(std::chrono::milliseconds d) { retry_failed_after_ = d; }

  DcTransition record_success(std::size_t index, std::chrono::milliseconds latency, Clock::time_point now,
                              bool request = true);
  DcTransition record_failure(std::size_t index, const std::string& error, Clock::time_point now,
                              bool request = true);

  // DCs a background probe should check: every one but the active DC.
  std::vector<std::size_t> probe_targets() const;
  std::optional<std::size_t> active() const { return active_; }
  bool in_outage() const { return outage_; }
  std::vector<DcStatus> status(Clock::time_point now) const;

 private:
  struct Dc {
    std::string uri;
    bool healthy = true;
    Clock::time_point since{};  // when it became healthy or failed; epoch = "always"
    Clock::time_point last_try{};  // while failed: when a request last tried it
    std::chrono::milliseconds last_latency{0};
    std::string last_error;
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    std::uint64_t answers = 0;
    std::chrono::milliseconds answer_time{0};
  };
  bool may_take_traffic(std::size_t index, Clock::time_point now) const;

  std::vector<Dc> dcs_;
  std::chrono::seconds failback_after_;
  std::chrono::milliseconds retry_failed_after_{1000};
  std::optional<std::size_t> active_;
  bool outage_ = false;
  Clock::time_point outage_since_{};
};

}  // namespace dirmail::directory
