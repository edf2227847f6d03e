#include "dirmail/net/account_sessions.hpp"

namespace dirmail::net {

AccountSessions::Slot& AccountSessions::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    account_ = std::move(other.account_);
    other.owner_ = nullptr;
  }
  return *this;
}

void AccountSessions::Slot::release() {
  if (owner_ != nullptr) owner_->close(account_);
  owner_ = nullptr;
}

std::optional<AccountSessions::Slot> AccountSessions::try_open(std::string_view account, std::size_t max) {
  std::lock_guard lock(mu_);
  std::size_t& n = open_[std::string(account)];
  if (max != 0 && n >= max) {
    if (n == 0) open_.erase(std::string(account));
    return std::nullopt;
  }
  ++n;
  return Slot(this, std::string(account));
}

std::size_t AccountSessions::count(std::string_view account) const {
  std::lock_guard lock(mu_);
  auto it = open_.find(std::string(account));
  return it == open_.end() ? 0 : it->second;
}

void AccountSessions::close(const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = open_.find(account);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

}  // namespace dirmail::net
