#pragma once
// Group commit of a directory: many writers renamed or unlinked entries and each needs
// the directory synced before it may answer. One of them (the leader) runs the sync
// for every change made so far while the others wait; changes made during that sync
// are covered by the next one. So N concurrent commits cost far fewer than N syncs, and
// every caller still returns only after a sync that started after its change.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "dirmail/base/result.hpp"

namespace dirmail::queue {

class GroupCommitter {
 public:
  using SyncFunction = std::function<Status()>;
  explicit GroupCommitter(SyncFunction sync) : sync_(std::move(sync)) {}

  // Call after the change is made. Blocks (run it on the blocking pool).
  // A failed sync is sticky: after fsync fails, the kernel may have dropped the dirty
  // state, so a later "successful" sync proves nothing; every commit fails from then
  // on and the queue must be reopened.
  Status commit();

  // Syncs run so far.
  std::uint64_t syncs() const;

 private:
  SyncFunction sync_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::uint64_t next_ticket_ = 0;     // changes announced so far
  std::uint64_t synced_through_ = 0;  // changes up to this ticket are durable
  bool syncing_ = false;
  std::optional<Error> failure_;
  std::uint64_t syncs_ = 0;
};

}  // namespace dirmail::queue
