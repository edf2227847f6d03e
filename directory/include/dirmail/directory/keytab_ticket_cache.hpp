#pragma once
// A FILE credential cache holding a TGT got from a keytab, kept fresh for as long as it
// lives: for libsmbclient, whose own Kerberos (Heimdal) reads the cache that KRB5CCNAME
// names and cannot see MIT's MEMORY caches. The cache file is made private (0600) by
// krb5 and removed with this object.
//
// Tickets expire (10 hours by AD's default policy): refresh_if_due() gets a new one
// into the same file once half the lifetime has passed, so a daemon that runs for
// months always holds a ticket with hours left, and a KDC that is briefly away at that
// moment is asked again a minute later, while the old ticket still works.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

class KeytabCredentials;

struct KeytabTicketCacheOptions {
  std::string keytab;      // holds `principal`
  std::string principal;   // empty: the keytab's first entry
  std::string cache_file;  // where the FILE cache goes (a private path)
  std::string context;     // what errors name first, e.g. "store.smb_logon = kerberos"
};

// When a ticket issued at `issued` that ends at `expires` is renewed: half its lifetime on.
std::chrono::system_clock::time_point ticket_refresh_time(std::chrono::system_clock::time_point issued,
                                                          std::chrono::system_clock::time_point expires);

class KeytabTicketCache {
 public:
  // The first ticket. Errors as KeytabCredentials::acquire: invalid_argument for a keytab
  // that cannot be read or lacks the principal, permission_denied when the KDC refuses,
  // temporary_failure when no KDC answers.
  static Result<std::unique_ptr<KeytabTicketCache>> acquire(const KeytabTicketCacheOptions& options);
  ~KeytabTicketCache();
  KeytabTicketCache(const KeytabTicketCache&) = delete;
  KeytabTicketCache& operator=(const KeytabTicketCache&) = delete;

  const std::string& principal() const;   // "name@REALM"
  const std::string& cache_name() const;  // "FILE:/path"
  std::chrono::system_clock::time_point expires() const;

  // true: a new ticket is in the cache. false: not due yet, or another thread is
  // getting it. An error: the KDC refused or did not answer; the old ticket stays, and
  // the next try is a minute later. `cache_readers` is the lock the cache's readers
  // hold (libsmbclient_mutex()): held only while the file is rewritten.
  Result<bool> refresh_if_due(std::mutex& cache_readers);

 private:
  explicit KeytabTicketCache(std::unique_ptr<KeytabCredentials> credentials);
  std::unique_ptr<KeytabCredentials> credentials_;
  std::mutex refreshing_;
  std::atomic<std::int64_t> due_seconds_;  // system_clock seconds of the next try
  std::atomic<std::int64_t> expires_seconds_;
};

}  // namespace dirmail::directory
