#include "dirmail/queue/group_commit.hpp"

namespace dirmail::queue {

Status GroupCommitter::commit() {
  std::unique_lock lock(mu_);
  const std::uint64_t ticket = ++next_ticket_;
  for (;;) {
    if (failure_) return *failure_;
    if (synced_through_ >= ticket) return ok_status();
    if (syncing_) {
      done_.wait(lock);
      continue;
    }
    // Lead: the sync starts after every change that has a ticket so far.
    syncing_ = true;
    const std::uint64_t covers = next_ticket_;
    lock.unlock();
    Status result = sync_();
    lock.lock();
    syncing_ = false;
    ++syncs_;
    if (result)
      synced_through_ = covers;
    else
      failure_ = result.error();
    done_.notify_all();
  }
}

std::uint64_t GroupCommitter::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace dirmail::queue
