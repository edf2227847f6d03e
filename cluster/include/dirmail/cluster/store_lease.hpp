#pragma once
// The store lease of an active/standby pair: the active node writes to the shared
// store (queue and mailboxes) only while it holds this lease, so that a node that was
// frozen, cut off or slow never writes beside the one that took over.
//
// On the store, in the lease folder (`<mailbox root>/.dirmail-cluster`):
//   epochs/<N>  created exclusively (O_EXCL, SMB FILE_CREATE) by the node that takes
//               the lease for the N-th time: the server decides which node gets N, and
//               N only grows;
//   lease       the holder's heartbeat, rewritten every lease_time/5 (lease_record.hpp).
// Rules (all times on each node's own monotonic clock, never compared across nodes):
//   - a node takes the lease when the lease file and the newest epoch have not changed
//     for lease_time while it watched, or at once when the holder released it (or was
//     this node's own earlier process, now gone);
//   - the holder may write for lease_time/2 after the start of its last good renewal,
//     and never once a newer epoch file exists (checked at most every 100 ms before a
//     write, and at each renewal). Past either, the lease is lost for good: the node
//     fences itself (on_lost) and must take a new epoch to write again.
// The margin between lease_time/2 and lease_time covers a write already under way; a
// release waits for the writes under way before it says "released". The clock is
// CLOCK_BOOTTIME, which also counts a suspended machine's sleep. A taker waits the
// longer of its own lease time and the holder's (the record carries it), and trusts a
// holder's pid only on the same machine (the record carries its boot id).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "dirmail/cluster/lease_record.hpp"
#include "dirmail/cluster/node_record.hpp"
#include "dirmail/store/file_system.hpp"
#include "dirmail/store/write_fence.hpp"

namespace dirmail::cluster {

struct StoreLeaseOptions {
  std::shared_ptr<store::FileSystem> fs;  // the store's own file system, not fenced
  std::string dir;                        // the lease folder
  std::string node;                       // server.node_name
  std::int64_t pid = 0;                   // 0: this process
  std::string boot;                       // empty: this machine's boot id
  std::chrono::milliseconds lease_time{10000};
  // Tests replace the clock and the check that a pid of this node is gone.
  std::function<std::chrono::steady_clock::time_point()> clock;
  std::function<bool(std::int64_t pid)> process_gone;
};

enum class LeaseState { standby, active, lost };
std::string_view to_string(LeaseState state);

// What dirmailctl cluster status shows.
struct LeaseView {
  LeaseState state = LeaseState::standby;
  std::uint64_t epoch = 0;                 // held (active), lost, or the newest seen
  std::optional<LeaseRecord> seen;         // the lease file as last read
  std::chrono::milliseconds unchanged_for{0};  // since the lease last changed, as watched here
  std::chrono::milliseconds since_renewal{0};  // active: since the last good renewal began
  std::string reason;                      // lost: why; standby: what it waits for
};

class StoreLease final : public store::WriteFence {
 public:
  // Makes the lease folder and its epochs/ folder when missing.
  static Result<std::shared_ptr<StoreLease>> open(StoreLeaseOptions options);

  std::chrono::milliseconds lease_time() const { return options_.lease_time; }
  std::chrono::milliseconds renew_interval() const { return options_.lease_time / 5; }

  // Reads the lease file and the newest epoch, noting when they change.
  Status observe();
  // Takes the lease when it is free (see the rules above): true when this node holds it.
  Result<bool> try_acquire();
  // The holder's heartbeat; an error when the lease could not be renewed (it is lost
  // once lease_time/2 passed without a good renewal, or a newer epoch exists).
  Status renew();
  // After the lease was lost by its deadline: whether another node took a newer epoch
  // meanwhile; if so the reason (logged, and given by refused writes from now on) says
  // which. For the administrator: a frozen node learns it was replaced.
  Status explain_loss();
  // Without I/O: loses the lease when its deadline has passed (a watchdog's call, for a
  // node whose renewals are stuck in a share that does not answer).
  void expire_if_late();
  // Steps down: the lease file says released, so the other node may take it at once.
  Status release();

  // This node's record for the other node and dirmailctl (lease_folder.hpp).
  Status publish(const NodeRecord& record);

  // Until armed, every write may go ahead: the queue and the store make their folders
  // and clean up unfinished files at start-up.
  void arm();
  Status begin_write() override;
  void end_write() override;

  LeaseView view();
  // Called once when the lease is lost (from a writing thread or the renewal), with why.
  void set_on_lost(std::function<void(const std::string& reason)> on_lost);

 private:
  explicit StoreLease(StoreLeaseOptions options);
  std::chrono::steady_clock::time_point now() const { return options_.clock(); }
  std::string epoch_path(std::uint64_t epoch) const;
  Result<std::optional<LeaseRecord>> read_epoch(std::uint64_t epoch);
  LeaseRecord record(std::uint64_t epoch, std::uint64_t sequence, bool released) const;
  // With mu_ held: the reason of a lease that ran out.
  std::string not_renewed_locked() const;
  Status write_lease(const LeaseRecord& record);
  // With mu_ held: marks the lease lost; returns the callback to run after unlocking.
  std::function<void()> lose_locked(const std::string& reason);
  // With mu_ held: the error for a refused write, logged at most once a second.
  Error refuse_locked(const std::string& reason);
  // Whether epoch+1 exists; if so, logs who took it ("store lease lost: ...").
  Result<bool> log_if_taken_over(std::uint64_t epoch);
  // "stale epoch E: epoch E+1 was taken by NODE", from the newer epoch's file.
  std::string taken_over(std::uint64_t epoch);
  // Checks that no newer epoch exists (I/O without mu_); a lost lease answers an error.
  Status check_epoch(std::uint64_t epoch);

  StoreLeaseOptions options_;
  std::string lease_path_;
  std::string epochs_dir_;

  std::mutex mu_;
  std::condition_variable writes_done_;
  std::size_t writes_under_way_ = 0;
  bool armed_ = false;
  LeaseState state_ = LeaseState::standby;
  std::uint64_t epoch_ = 0;             // held or lost
  std::uint64_t sequence_ = 0;
  std::chrono::steady_clock::time_point write_deadline_{};
  std::chrono::steady_clock::time_point last_epoch_check_{};
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::string lost_reason_;
  std::function<void(const std::string&)> on_lost_;
  // Watching: what the lease looked like and since when.
  std::string seen_key_;
  std::optional<LeaseRecord> seen_;
  std::uint64_t newest_seen_ = 0;
  std::chrono::steady_clock::time_point seen_since_{};
  bool observed_ = false;
  std::string waiting_for_;
};

}  // namespace dirmail::cluster
