#pragma once
// The Kerberos side of a SASL/GSSAPI bind: a TGT got from a keytab (MIT krb5) into a
// MEMORY credential cache owned by one connection, and a scope that makes GSSAPI on
// the calling thread use that cache. Nothing touches KRB5CCNAME or the default cache,
// so connections with different keytabs or principals never see each other's tickets.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::directory {

class KeytabCredentials {
 public:
  // A TGT for `principal` (empty: the keytab's first entry). Errors name `context`
  // (the LDAP URI): temporary_failure when no KDC answers; invalid_argument for an
  // unreadable or empty keytab or a malformed principal; permission_denied when the
  // KDC refuses (unknown principal, wrong key, disabled account, clock skew).
  // `file_cache`: a FILE cache at that path instead of a MEMORY one, for a library with
  // its own Kerberos (libsmbclient's Heimdal cannot see MIT's MEMORY caches); it is
  // deleted with this object.
  static Result<std::unique_ptr<KeytabCredentials>> acquire(std::string_view keytab,
                                                            std::string_view principal,
                                                            std::string_view context,
                                                            std::string_view file_cache = {});
  ~KeytabCredentials();
  KeytabCredentials(const KeytabCredentials&) = delete;
  KeytabCredentials& operator=(const KeytabCredentials&) = delete;

  const std::string& principal() const { return principal_; }
  const std::string& cache_name() const { return cache_name_; }  // "MEMORY:..." or "FILE:..."
  // The lifetime of the ticket in the cache (the KDC's clock).
  std::chrono::system_clock::time_point issued() const { return issued_; }
  std::chrono::system_clock::time_point expires() const { return expires_; }

  // A new ticket from the same keytab into the same cache, for a long-lived cache (the
  // same errors as acquire; the cache keeps the old ticket on an error). The KDC is asked
  // first; `cache_readers` is held only while the cache is rewritten, so that a library
  // reading it under that lock never sees it half written. One caller at a time.
  Status refresh(std::mutex& cache_readers);

 private:
  struct Krb5;
  KeytabCredentials(std::unique_ptr<Krb5> krb5, std::string principal, std::string cache_name, std::string prefix);
  std::unique_ptr<Krb5> krb5_;
  std::string principal_;
  std::string cache_name_;
  std::string prefix_;  // "<context>: Kerberos ticket for P from keytab K", for errors
  std::chrono::system_clock::time_point issued_, expires_;
};

// While alive, GSSAPI calls made on this thread take their default credentials from
// `cache_name` (gss_krb5_ccache_name is per thread in MIT krb5); the previous name
// comes back at the end of the scope.
class ThreadGssCredentialCache {
 public:
  static Result<std::unique_ptr<ThreadGssCredentialCache>> use(const std::string& cache_name);
  ~ThreadGssCredentialCache();
  ThreadGssCredentialCache(const ThreadGssCredentialCache&) = delete;
  ThreadGssCredentialCache& operator=(const ThreadGssCredentialCache&) = delete;

 private:
  ThreadGssCredentialCache(bool had_previous, std::string previous)
      : had_previous_(had_previous), previous_(std::move(previous)) {}
  bool had_previous_;
  std::string previous_;
};

}  // namespace dirmail::directory
