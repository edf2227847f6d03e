#pragma once
// Brute-force protection for password logins: failed logins are counted per client
// address and per account within a window; each counted failure makes the next login
// wait longer (1 s, 2 s, 4 s ... up to max_delay), and once an account has had
// its failure budget within the window, its passwords are no longer sent to the
// directory at all (answered as failed, after the delay) until the window has passed
// since its last failure. With the budget below the domain's lockoutThreshold and
// the window at least lockOutObservationWindow, an attacker can never lock an AD
// account through dirmail, while the user's right password works again later.
//
// Use: admit() before the check (wait `delay`, then check only if `check_password`),
// then record_failure() or record_success(). Thread-safe; memory is bounded (the
// entries least recently failed are dropped first); the clock is injectable for tests.
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dirmail::auth {

struct LoginLimiterOptions {
  using Clock = std::chrono::steady_clock;

  std::chrono::seconds failure_window{900};  // a failure is forgotten this long after the last one
  int max_failures_per_account = 5;          // budget when the domain policy is unknown or 0
  int max_failures_per_ip = 30;              // then the address gets no password checks
  std::chrono::milliseconds first_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  // Kept below the domain's lockoutThreshold: room for the user's own mistakes on
  // other machines within the same observation window.
  int lockout_margin = 2;
  std::size_t max_tracked_ips = 100000;
  std::size_t max_tracked_accounts = 100000;
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
};

enum class LoginRefusal {
  none,             // check the password
  account_limited,  // the account's failure budget is spent: do not ask the directory
  address_limited,  // this client address failed too often
};
std::string_view to_string(LoginRefusal refusal);

struct LoginAdmission {
  LoginRefusal refusal = LoginRefusal::none;
  std::chrono::milliseconds delay{0};  // wait this long before checking (or answering)
  bool check_password() const { return refusal == LoginRefusal::none; }
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimiterOptions options);

  // The AD domain's lockoutThreshold and lockOutObservationWindow (read with
  // directory::read_domain_lockout_policy). threshold > 0: the per-account budget
  // becomes max(1, threshold - lockout_margin); the window grows to at least the
  // observation window. threshold 0: max_failures_per_account applies.
  void apply_domain_lockout(int lockout_threshold, std::chrono::seconds observation_window);

  // account: the canonical account name (sAMAccountName; compared without case),
  // empty when the login names no known account. client_ip empty: the client is not
  // counted by address (a trusted local client such as a webmail on this host).
  LoginAdmission admit(std::string_view client_ip, std::string_view account);
  // A wrong password (or unknown login: pass an empty account). Not for temporary
  // failures (KDC or directory down), which are not the user's doing.
  void record_failure(std::string_view client_ip, std::string_view account);
  // A right password: the account's count starts again (as AD resets badPwdCount);
  // the address's does not, so one valid login cannot launder guesses at others.
  void record_success(std::string_view client_ip, std::string_view account);
  // An admitted check that ended without a verdict (directory or KDC down).
  void record_no_verdict(std::string_view account);

  int account_budget() const;
  std::chrono::seconds window() const;
  // Failures currently counted (tests, dirmailctl).
  int failures_of_account(std::string_view account);
  int failures_of_ip(std::string_view client_ip);
  std::size_t tracked_accounts();
  std::size_t tracked_ips();

 private:
  using TimePoint = LoginLimiterOptions::Clock::time_point;
  struct Entry {
    int failures = 0;
    TimePoint last_failure{};
  };
  // Failure counts by key, least recently failed last; bounded by `cap`.
  class FailureTable {
   public:
    explicit FailureTable(std::size_t cap) : cap_(cap) {}
    // The live count (an entry whose window has passed counts 0 and is dropped).
    int count(const std::string& key, TimePoint now, std::chrono::seconds window);
    void add_failure(const std::string& key, TimePoint now);
    void erase(const std::string& key);
    std::size_t size() const { return index_.size(); }

   private:
    using Order = std::list<std::pair<std::string, Entry>>;
    std::size_t cap_;
    Order order_;
    std::unordered_map<std::string, Order::iterator> index_;
  };

  std::chrono::milliseconds delay_for(int failures) const;

  LoginLimiterOptions options_;
  mutable std::mutex mu_;
  int account_budget_;
  std::chrono::seconds window_;
  FailureTable by_ip_;
  FailureTable by_account_;
  // Checks admitted and not yet recorded, per account: parallel connections cannot
  // all pass admit() before the first failure is counted.
  std::unordered_map<std::string, int> in_flight_;
};

}  // namespace dirmail::auth
