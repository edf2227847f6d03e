#include "dirmail/auth/login_limiter.hpp"

#include <algorithm>

#include "dirmail/base/strings.hpp"

namespace dirmail::auth {

std::string_view to_string(LoginRefusal refusal) {
  switch (refusal) {
    case LoginRefusal::none: return "none";
    case LoginRefusal::account_limited: return "account_limited";
    case LoginRefusal::address_limited: return "address_limited";
  }
  return "none";
}

int LoginLimiter::FailureTable::count(const std::string& key, TimePoint now, std::chrono::seconds window) {
  auto found = index_.find(key);
  if (found == index_.end()) return 0;
  if (now - found->second->second.last_failure >= window) {
    order_.erase(found->second);
    index_.erase(found);
    return 0;
  }
  return found->second->second.failures;
}

void LoginLimiter::FailureTable::add_failure(const std::string& key, TimePoint now) {
  auto found = index_.find(key);
  if (found != index_.end()) {
    Entry entry = found->second->second;
    order_.erase(found->second);
    ++entry.failures;
    entry.last_failure = now;
    order_.emplace_front(key, entry);
    found->second = order_.begin();
    return;
  }
  if (cap_ == 0) return;
  while (index_.size() >= cap_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
  order_.emplace_front(key, Entry{1, now});
  index_.emplace(key, order_.begin());
}

void LoginLimiter::FailureTable::erase(const std::string& key) {
  auto found = index_.find(key);
  if (found == index_.end()) return;
  order_.erase(found->second);
  index_.erase(found);
}

LoginLimiter::LoginLimiter(LoginLimiterOptions options)
    : options_(std::move(options)),
      account_budget_(std::max(1, options_.max_failures_per_account)),
      window_(options_.failure_window),
      by_ip_(options_.max_tracked_ips),
      by_account_(options_.max_tracked_accounts) {}

void LoginLimiter::apply_domain_lockout(int lockout_threshold, std::chrono::seconds observation_window) {
  std::lock_guard lock(mu_);
  if (lockout_threshold > 0) {
    account_budget_ = std::max(1, lockout_threshold - std::max(0, options_.lockout_margin));
    // AD forgets a bad password after its observation window; forgetting ours sooner
    // would let more than the budget reach the DC within one of its windows.
    window_ = std::max(options_.failure_window, observation_window);
  } else {
    account_budget_ = std::max(1, options_.max_failures_per_account);
    window_ = options_.failure_window;
  }
}

std::chrono::milliseconds LoginLimiter::delay_for(int failures) const {
  if (failures <= 0) return std::chrono::milliseconds(0);
  std::chrono::milliseconds delay = options_.first_delay;
  for (int i = 1; i < failures && delay < options_.max_delay; ++i) delay *= 2;
  return std::min(delay, options_.max_delay);
}

LoginAdmission LoginLimiter::admit(std::string_view client_ip, std::string_view account) {
  std::lock_guard lock(mu_);
  TimePoint now = options_.now();
  int ip_failures = client_ip.empty() ? 0 : by_ip_.count(std::string(client_ip), now, window_);
  std::string key = account.empty() ? std::string() : to_lower(account);
  int account_failures = key.empty() ? 0 : by_account_.count(key, now, window_);
  int pending = 0;
  if (!key.empty())
    if (auto it = in_flight_.find(key); it != in_flight_.end()) pending = it->second;
  LoginAdmission admission;
  admission.delay = delay_for(std::max(ip_failures, account_failures));
  if (account_failures + pending >= account_budget_)
    admission.refusal = LoginRefusal::account_limited;
  else if (options_.max_failures_per_ip > 0 && ip_failures >= options_.max_failures_per_ip)
    admission.refusal = LoginRefusal::address_limited;
  if (admission.check_password() && !key.empty() && in_flight_.size() < options_.max_tracked_accounts) ++in_flight_[key];
  return admission;
}

void LoginLimiter::record_no_verdict(std::string_view account) {
  std::lock_guard lock(mu_);
  if (account.empty()) return;
  auto it = in_flight_.find(to_lower(account));
  if (it != in_flight_.end() && --it->second <= 0) in_flight_.erase(it);
}

void LoginLimiter::record_failure(std::string_view client_ip, std::string_view account) {
  record_no_verdict(account);
  std::lock_guard lock(mu_);
  TimePoint now = options_.now();
  if (!client_ip.empty()) {
    std::string ip(client_ip);
    by_ip_.count(ip, now, window_);  // an expired entry starts again from one
    by_ip_.add_failure(ip, now);
  }
  if (!account.empty()) {
    std::string key = to_lower(account);
    by_account_.count(key, now, window_);
    by_account_.add_failure(key, now);
  }
}

void LoginLimiter::record_success(std::string_view /*client_ip*/, std::string_view account) {
  record_no_verdict(account);
  std::lock_guard lock(mu_);
  if (!account.empty()) by_account_.erase(to_lower(account));
}

int LoginLimiter::account_budget() const {
  std::lock_guard lock(mu_);
  return account_budget_;
}

std::chrono::seconds LoginLimiter::window() const {
  std::lock_guard lock(mu_);
  return window_;
}

int LoginLimiter::failures_of_account(std::string_view account) {
  std::lock_guard lock(mu_);
  return by_account_.count(to_lower(account), options_.now(), window_);
}

int LoginLimiter::failures_of_ip(std::string_view client_ip) {
  std::lock_guard lock(mu_);
  return by_ip_.count(std::string(client_ip), options_.now(), window_);
}

std::size_t LoginLimiter::tracked_accounts() {
  std::lock_guard lock(mu_);
  return by_account_.size();
}

std::size_t LoginLimiter::tracked_ips() {
  std::lock_guard lock(mu_);
  return by_ip_.size();
}

}  // namespace dirmail::auth
