#include "dirmail/cluster/store_lease.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/process.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/cluster/lease_folder.hpp"
#include "dirmail/cluster/node_role_file.hpp"

namespace dirmail::cluster {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// How often a writer looks for a newer epoch on the store: bounds both the extra
// requests (at most 10 a second) and how long a stale node may write unnoticed when
// its own clock says the lease is fine.
constexpr milliseconds kEpochCheckInterval{100};
// Epoch files older than this many epochs are removed by the node that takes a new one.
constexpr std::uint64_t kEpochsKept = 16;

log::LogLine lease_log() { return log::LogLine(log::service("cluster"), log::Record::daemon); }

// CLOCK_BOOTTIME as a steady_clock time point: monotonic, and it also runs while the
// machine is suspended, after which a holder must find its lease expired.
std::chrono::steady_clock::time_point boot_clock() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

long long ms(milliseconds d) { return static_cast<long long>(d.count()); }

}  // namespace

std::string_view to_string(LeaseState state) {
  switch (state) {
    case LeaseState::standby: return "standby";
    case LeaseState::active: return "active";
    case LeaseState::lost: return "lost";
  }
  return "standby";
}

StoreLease::StoreLease(StoreLeaseOptions options)
    : options_(std::move(options)),
      lease_path_(lease_file_path(options_.dir)),
      epochs_dir_(epochs_dir_path(options_.dir)) {
  if (!options_.clock) options_.clock = boot_clock;
  if (!options_.process_gone) options_.process_gone = [](std::int64_t pid) { return !process_runs(static_cast<long>(pid)); };
  if (options_.pid == 0) options_.pid = static_cast<std::int64_t>(::getpid());
  if (options_.boot.empty()) options_.boot = current_boot_id();
  if (!check_node_name(options_.boot)) options_.boot = "-";  // unknown: no pid of a record is trusted
}

Result<std::shared_ptr<StoreLease>> StoreLease::open(StoreLeaseOptions options) {
  if (!options.fs) return make_error(ErrorCode::invalid_argument, "store lease: no file system");
  DIRMAIL_TRY(check_node_name(options.node));
  if (options.lease_time < milliseconds(1000))
    return make_error(ErrorCode::invalid_argument, "store lease: the lease time is at least 1 s");
  std::shared_ptr<StoreLease> lease(new StoreLease(std::move(options)));
  DIRMAIL_TRY(store::make_directories(*lease->options_.fs, lease->epochs_dir_));
  return lease;
}

std::string StoreLease::epoch_path(std::uint64_t epoch) const {
  return posix::join_path(epochs_dir_, std::to_string(epoch));
}

LeaseRecord StoreLease::record(std::uint64_t epoch, std::uint64_t sequence, bool released) const {
  return {epoch, options_.node, options_.pid, options_.boot, static_cast<std::int64_t>(options_.lease_time.count()),
          sequence, unix_now_ms(), released};
}

std::string StoreLease::not_renewed_locked() const {
  return fmt::format("lease epoch {} not renewed within {} ms", epoch_, ms(options_.lease_time / 2));
}

Result<std::optional<LeaseRecord>> StoreLease::read_epoch(std::uint64_t epoch) {
  auto text = store::read_small_file(*options_.fs, epoch_path(epoch), kLeaseRecordBytes);
  if (!text) return std::move(text).error();
  if (!*text) return std::optional<LeaseRecord>();
  auto record = parse_lease_record(**text);
  return record ? std::optional<LeaseRecord>(*record) : std::nullopt;
}

Status StoreLease::write_lease(const LeaseRecord& record) {
  auto file = options_.fs->open(lease_path_, store::OpenMode::read_write_create);
  if (!file) return std::move(file).error();
  DIRMAIL_TRY((*file)->write_at(0, format_lease_record(record)));
  return (*file)->sync();
}

Status StoreLease::observe() {
  auto text = store::read_small_file(*options_.fs, lease_path_, kLeaseRecordBytes + 1);
  if (!text) return std::move(text).error();
  auto newest = newest_epoch(*options_.fs, options_.dir);
  if (!newest) return std::move(newest).error();
  std::optional<LeaseRecord> record;
  if (*text)
    if (auto parsed = parse_lease_record(**text)) record = *parsed;
  // A torn or foreign file counts as a change: someone is writing it.
  std::string key = fmt::format("{}#{}", text->value_or("(none)"), *newest);
  std::lock_guard lock(mu_);
  if (!observed_ || key != seen_key_) {
    seen_key_ = std::move(key);
    seen_since_ = now();
    observed_ = true;
  }
  seen_ = std::move(record);
  newest_seen_ = *newest;
  return ok_status();
}

Result<bool> StoreLease::try_acquire() {
  {
    std::lock_guard lock(mu_);
    if (state_ == LeaseState::active) return true;
  }
  DIRMAIL_TRY(observe());
  const auto start = now();
  std::uint64_t next = 0;
  std::optional<LeaseRecord> previous;
  {
    std::lock_guard lock(mu_);
    previous = seen_;
    const auto unchanged = duration_cast<milliseconds>(start - seen_since_);
    const bool nothing_yet = newest_seen_ == 0 && !seen_;
    const bool current = seen_ && seen_->epoch == newest_seen_;
    const bool released = current && seen_->released;
    // This machine's own earlier process (same name and boot), now gone.
    const bool own_gone = current && seen_->holder == options_.node && seen_->boot == options_.boot &&
                          options_.boot != "-" && seen_->pid != options_.pid && options_.process_gone(seen_->pid);
    // The longer of the two lease times: a holder with a longer one renews less often.
    const auto wait = std::max(options_.lease_time, seen_ ? milliseconds(seen_->lease_time_ms) : milliseconds(0));
    if (!nothing_yet && !released && !own_gone && unchanged < wait) {
      waiting_for_ = seen_ ? fmt::format("the lease (epoch {}) held by {} has not changed for {} ms; free after {} ms",
                                         newest_seen_, seen_->holder, ms(unchanged), ms(wait))
                           : fmt::format("epoch {} has no lease file yet; free after {} ms unchanged", newest_seen_,
                                         ms(wait));
      return false;
    }
    next = newest_seen_ + 1;
  }
  LeaseRecord record = this->record(next, 1, false);
  auto epoch_file = options_.fs->open(epoch_path(next), store::OpenMode::create_new);
  if (!epoch_file) {
    if (epoch_file.error().code == ErrorCode::already_exists) {
      std::lock_guard lock(mu_);
      waiting_for_ = fmt::format("epoch {} was just taken by another node", next);
      return false;
    }
    return std::move(epoch_file).error();
  }
  DIRMAIL_TRY((*epoch_file)->write_at(0, format_lease_record(record)));
  DIRMAIL_TRY((*epoch_file)->sync());
  epoch_file->reset();
  DIRMAIL_TRY(options_.fs->sync_directory(epochs_dir_));
  // From here epoch `next` is this node's, even if writing the heartbeat fails now:
  // the renewal writes it again.
  auto written = write_lease(record);
  {
    std::lock_guard lock(mu_);
    state_ = LeaseState::active;
    epoch_ = next;
    sequence_ = 1;
    write_deadline_ = start + options_.lease_time / 2;
    last_epoch_check_ = start;
    lost_reason_.clear();
    waiting_for_.clear();
    seen_ = record;
  }
  auto line = lease_log();
  line.with("epoch", next).with("node", options_.node);
  if (previous) line.with("previous_epoch", previous->epoch).with("previous_holder", previous->holder)
                    .with("previous_state", previous->released ? "released" : "held");
  if (!written) line.with("warning", written.error().message);
  line.info("store lease taken: this node may write to the shared store");
  for (std::uint64_t old = next > kEpochsKept ? next - kEpochsKept : 0; old > 0; --old) {
    auto removed = options_.fs->remove(epoch_path(old));
    if (!removed) break;  // removed by an earlier taking, or the store answers later
  }
  return true;
}

std::string StoreLease::taken_over(std::uint64_t epoch) {
  auto taker = read_epoch(epoch + 1);
  std::string who = taker && *taker ? (*taker)->holder : std::string("another node");
  return fmt::format("stale epoch {}: epoch {} was taken by {}", epoch, epoch + 1, who);
}

Status StoreLease::check_epoch(std::uint64_t epoch) {
  auto newer = options_.fs->stat(epoch_path(epoch + 1));
  if (!newer) return std::move(newer).error();
  if (!*newer) return ok_status();
  std::function<void()> after;
  std::string reason = taken_over(epoch);
  {
    std::lock_guard lock(mu_);
    if (state_ == LeaseState::active && epoch_ == epoch) after = lose_locked(reason);
  }
  if (after) after();
  return make_error(ErrorCode::temporary_failure, "store write refused: " + reason);
}

Status StoreLease::renew() {
  const auto start = now();
  std::uint64_t epoch = 0;
  std::uint64_t sequence = 0;
  bool late = false;
  {
    std::lock_guard lock(mu_);
    if (state_ != LeaseState::active)
      return make_error(ErrorCode::temporary_failure, "this node does not hold the store lease");
    epoch = epoch_;
    sequence = sequence_ + 1;
    late = start > write_deadline_;
  }
  // First the epoch, so that a node that was frozen while another took over says so.
  DIRMAIL_TRY(check_epoch(epoch));
  if (late) {
    std::function<void()> after;
    {
      std::lock_guard lock(mu_);
      if (state_ == LeaseState::active && epoch_ == epoch)
        after = lose_locked(not_renewed_locked());
    }
    if (after) after();
    return make_error(ErrorCode::temporary_failure, "store lease lost");
  }
  auto text = store::read_small_file(*options_.fs, lease_path_, kLeaseRecordBytes + 1);
  if (!text) return std::move(text).error();
  if (*text) {
    auto current = parse_lease_record(**text);
    if (current && (current->epoch != epoch || current->holder != options_.node))
      lease_log().with("epoch", epoch).with("file_epoch", current->epoch).with("file_holder", current->holder)
          .warn("the lease file was written by a node without the lease; writing it again");
  }
  LeaseRecord record = this->record(epoch, sequence, false);
  DIRMAIL_TRY(write_lease(record));
  std::lock_guard lock(mu_);
  if (state_ != LeaseState::active || epoch_ != epoch) return make_error(ErrorCode::temporary_failure, "store lease lost");
  sequence_ = sequence;
  seen_ = record;
  write_deadline_ = start + options_.lease_time / 2;
  last_epoch_check_ = start;
  return ok_status();
}

Status StoreLease::release() {
  std::uint64_t epoch = 0;
  std::uint64_t sequence = 0;
  LeaseState was = LeaseState::standby;
  {
    std::lock_guard lock(mu_);
    was = state_;
    if (was == LeaseState::standby) return ok_status();
    state_ = LeaseState::standby;  // no write begins from here
    epoch = epoch_;
    sequence = sequence_ + 1;
  }
  // A node demoted after its lease ran out (frozen, say): nothing to release; say who
  // took it over, if anyone did.
  if (was == LeaseState::lost) {
    auto taken = log_if_taken_over(epoch);
    if (!taken) return std::move(taken).error();
    return ok_status();
  }
  // The other node takes a released lease at once: the writes under way must end first.
  // One stuck longer than half the lease time (a share that does not answer) leaves the
  // lease to expire instead, so that the margin up to the lease time covers it.
  {
    std::unique_lock lock(mu_);
    if (!writes_done_.wait_for(lock, options_.lease_time / 2, [this] { return writes_under_way_ == 0; })) {
      lease_log().with("epoch", epoch).with("writes", writes_under_way_)
          .warn("store lease not released: writes still under way; the other node takes it when it expires");
      return ok_status();
    }
  }
  // Never over a newer holder's heartbeat.
  auto taken = log_if_taken_over(epoch);
  if (!taken) return std::move(taken).error();
  if (*taken) return ok_status();
  DIRMAIL_TRY(write_lease(record(epoch, sequence, true)));
  lease_log().with("epoch", epoch).info("store lease released: the other node may take it at once");
  return ok_status();
}

Result<bool> StoreLease::log_if_taken_over(std::uint64_t epoch) {
  auto newer = options_.fs->stat(epoch_path(epoch + 1));
  if (!newer) return std::move(newer).error();
  if (!*newer) return false;
  lease_log().with("epoch", epoch).with("reason", taken_over(epoch)).error("store lease lost: another node took it over");
  return true;
}

Status StoreLease::publish(const NodeRecord& record) { return write_node_record(*options_.fs, options_.dir, record); }

Status StoreLease::explain_loss() {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(mu_);
    if (state_ != LeaseState::lost || lost_reason_.starts_with("stale epoch")) return ok_status();
    epoch = epoch_;
  }
  auto newer = options_.fs->stat(epoch_path(epoch + 1));
  if (!newer) return std::move(newer).error();
  if (!*newer) return ok_status();
  std::string reason = taken_over(epoch);
  {
    std::lock_guard lock(mu_);
    if (state_ != LeaseState::lost || epoch_ != epoch) return ok_status();
    lost_reason_ = reason;
  }
  lease_log().with("epoch", epoch).with("reason", reason).error("store lease lost: another node took it over");
  return ok_status();
}

void StoreLease::expire_if_late() {
  std::function<void()> after;
  {
    std::lock_guard lock(mu_);
    if (state_ != LeaseState::active || now() <= write_deadline_) return;
    after = lose_locked(not_renewed_locked());
  }
  if (after) after();
}

void StoreLease::arm() {
  std::lock_guard lock(mu_);
  armed_ = true;
}

std::function<void()> StoreLease::lose_locked(const std::string& reason) {
  state_ = LeaseState::lost;
  lost_reason_ = reason;
  lease_log().with("epoch", epoch_).with("reason", reason).error("store lease lost: this node stops writing");
  auto callback = on_lost_;
  if (!callback) return {};
  return [callback, reason] { callback(reason); };
}

Status StoreLease::begin_write() {
  std::uint64_t epoch = 0;
  bool check = false;
  std::chrono::steady_clock::time_point check_started{};
  {
    std::lock_guard lock(mu_);
    if (!armed_) {
      ++writes_under_way_;
      return ok_status();
    }
    if (state_ != LeaseState::active)
      return refuse_locked(state_ == LeaseState::lost ? lost_reason_
                                                      : "this node does not hold the store lease (standby)");
    epoch = epoch_;
    check_started = now();
    check = check_started - last_epoch_check_ >= kEpochCheckInterval;
  }
  if (check) {
    if (auto st = check_epoch(epoch); !st) {
      std::lock_guard lock(mu_);
      return refuse_locked(st.error().message);
    }
  }
  std::function<void()> after;
  {
    std::lock_guard lock(mu_);
    // The look at the store is as fresh as its start, not its end.
    if (check) last_epoch_check_ = std::max(last_epoch_check_, check_started);
    if (state_ != LeaseState::active) return refuse_locked(lost_reason_);
    if (now() <= write_deadline_) {
      ++writes_under_way_;  // decided under the lock a release takes: never after it
      return ok_status();
    }
    after = lose_locked(not_renewed_locked());
  }
  if (after) after();
  std::lock_guard lock(mu_);
  return refuse_locked(lost_reason_);
}

void StoreLease::end_write() {
  {
    std::lock_guard lock(mu_);
    if (writes_under_way_ > 0) --writes_under_way_;
  }
  writes_done_.notify_all();
}

Error StoreLease::refuse_locked(const std::string& reason) {
  const auto t = now();
  // One line a second: a fenced node may be asked to write by many sessions at once.
  if (t - last_refusal_log_ >= std::chrono::seconds(1) || last_refusal_log_ == std::chrono::steady_clock::time_point{}) {
    last_refusal_log_ = t;
    lease_log().with("epoch", epoch_).with("reason", reason).warn("store write refused");
  }
  std::string message = reason.starts_with("store write refused") ? reason : "store write refused: " + reason;
  return make_error(ErrorCode::temporary_failure, message);
}

LeaseView StoreLease::view() {
  std::lock_guard lock(mu_);
  LeaseView v;
  v.state = state_;
  v.epoch = state_ == LeaseState::standby ? newest_seen_ : epoch_;
  v.seen = seen_;
  const auto t = now();
  if (observed_) v.unchanged_for = duration_cast<milliseconds>(t - seen_since_);
  if (state_ == LeaseState::active)
    v.since_renewal = duration_cast<milliseconds>(t - (write_deadline_ - options_.lease_time / 2));
  v.reason = state_ == LeaseState::lost ? lost_reason_ : waiting_for_;
  return v;
}

void StoreLease::set_on_lost(std::function<void(const std::string& reason)> on_lost) {
  std::lock_guard lock(mu_);
  on_lost_ = std::move(on_lost);
}

}  // namespace dirmail::cluster
