#include "group_policy_refresh.hpp"

namespace dirmail::daemon {

GroupPolicyRefresh::GroupPolicyRefresh(std::unique_ptr<directory::GroupPolicySource> source,
                                       std::chrono::seconds interval, Handler on_fetched)
    : source_(std::move(source)), interval_(interval.count()), on_fetched_(std::move(on_fetched)) {}

GroupPolicyRefresh::~GroupPolicyRefresh() { stop(); }

void GroupPolicyRefresh::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void GroupPolicyRefresh::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupPolicyRefresh::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    on_fetched_(source_->fetch());
    lock.lock();
    wake_.wait_for(lock, std::chrono::seconds(interval_.load()), [this] { return stopping_; });
  }
}

}  // namespace dirmail::daemon
