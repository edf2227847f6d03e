#include "dirmail/directory/verified_password_cache.hpp"

#include <sodium.h>

#include <algorithm>

namespace dirmail::directory {

VerifiedPasswordCache::VerifiedPasswordCache(std::chrono::seconds ttl, std::size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {
  if (sodium_init() < 0) ttl_ = std::chrono::seconds(0);  // no randomness: cache nothing
  randombytes_buf(secret_, sizeof secret_);
}

std::string VerifiedPasswordCache::key_of(std::string_view account, std::string_view password) const {
  unsigned char digest[32];
  crypto_generichash_state state;
  crypto_generichash_init(&state, secret_, sizeof secret_, sizeof digest);
  // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
  std::uint64_t n = account.size();
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&n), sizeof n);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(account.data()), account.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(password.data()), password.size());
  crypto_generichash_final(&state, digest, sizeof digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool VerifiedPasswordCache::contains(std::string_view account, std::string_view password, Clock::time_point now) {
  if (ttl_.count() <= 0) return false;
  std::string key = key_of(account, password);
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return false;
  }
  return true;
}

void VerifiedPasswordCache::remember(std::string_view account, std::string_view password, Clock::time_point now) {
  if (ttl_.count() <= 0) return;
  std::string key = key_of(account, password);
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) {
    std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();  // rare: every entry fresh; start over
  }
  entries_[key] = Entry{std::string(account), now + ttl_};
}

void VerifiedPasswordCache::forget(std::string_view account) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.account == account; });
}

std::size_t VerifiedPasswordCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace dirmail::directory
