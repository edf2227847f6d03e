#pragma once
// How many logged-in sessions each account has, for a per-account cap: a mail client
// opens several connections, but a runaway one (or a stolen password) must not take
// every connection the server has. Thread-safe; a Slot gives its place back when it
// is destroyed.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dirmail::net {

class AccountSessions {
 public:
  class Slot {
   public:
    Slot(Slot&& other) noexcept : owner_(other.owner_), account_(std::move(other.account_)) { other.owner_ = nullptr; }
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }

   private:
    friend class AccountSessions;
    Slot(AccountSessions* owner, std::string account) : owner_(owner), account_(std::move(account)) {}
    void release();
    AccountSessions* owner_;
    std::string account_;
  };

  // A slot for `account` unless it already has `max` sessions (0: no limit).
  std::optional<Slot> try_open(std::string_view account, std::size_t max);
  std::size_t count(std::string_view account) const;

 private:
  void close(const std::string& account);
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::size_t> open_;
};

}  // namespace dirmail::net
