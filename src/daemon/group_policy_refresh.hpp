#pragma once
// The thread that fetches Group Policy at start and every policy.refresh_interval, off
// the I/O threads (LDAP and SMB block), and hands each result to the daemon.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "dirmail/directory_settings/group_policy_source.hpp"

namespace dirmail::daemon {

class GroupPolicyRefresh {
 public:
  using Handler = std::function<void(Result<directory::GroupPolicyFetch>)>;

  GroupPolicyRefresh(std::unique_ptr<directory::GroupPolicySource> source, std::chrono::seconds interval,
                     Handler on_fetched);
  ~GroupPolicyRefresh();
  GroupPolicyRefresh(const GroupPolicyRefresh&) = delete;
  GroupPolicyRefresh& operator=(const GroupPolicyRefresh&) = delete;

  // The first fetch runs at once.
  void start();
  void stop();
  // policy.refresh_interval as now applied (a GPO may set it too); from the next wait.
  void set_interval(std::chrono::seconds interval) { interval_ = interval.count(); }

 private:
  void loop();

  std::unique_ptr<directory::GroupPolicySource> source_;
  std::atomic<std::int64_t> interval_;
  Handler on_fetched_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dirmail::daemon
