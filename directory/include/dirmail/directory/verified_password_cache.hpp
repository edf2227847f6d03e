#pragma once
// Recently verified passwords, so that a mail client polling every minute does not
// send the user's password to the KDC or DC every minute. Entries are keyed by a
// keyed BLAKE2b hash of (account, password) with a random key made at start: the
// password itself is never kept, and the key never leaves the process. A hit only
// says "this exact password was right for this account a moment ago"; the caller
// still checks the account's state first, and forgets the account when a check fails.
// Thread-safe and bounded.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dirmail::directory {

class VerifiedPasswordCache {
 public:
  using Clock = std::chrono::steady_clock;
  VerifiedPasswordCache(std::chrono::seconds ttl, std::size_t max_entries = 100000);

  bool contains(std::string_view account, std::string_view password, Clock::time_point now = Clock::now());
  void remember(std::string_view account, std::string_view password, Clock::time_point now = Clock::now());
  // Drops every entry of the account (a failed check, a changed state).
  void forget(std::string_view account);
  std::size_t size() const;

 private:
  std::string key_of(std::string_view account, std::string_view password) const;
  struct Entry {
    std::string account;
    Clock::time_point expires;
  };
  std::chrono::seconds ttl_;
  std::size_t max_entries_;
  unsigned char secret_[32];
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace dirmail::directory
