#pragma once
// A bounded set of libsmbclient contexts for SmbFileSystem. An SMBCCTX serves one call
// at a time: a Lease is the exclusive use of one, given back when it goes away. Each
// context counts its reconnections (generation), so that a file opened on it before a
// reconnection can tell that its handle is gone.
//
// libsmbclient as Debian builds it (Samba 4.17) is not safe for calls on two threads
// even with separate contexts: its scratch memory (talloc stackframes) and its smb.conf
// state are process-wide, and smbc_thread_posix(), which would make the stackframes
// per thread, is not exported (two threads corrupted the stackframe stack in the
// conformance test). So a Lease also holds library_mutex(): SMB calls of this process
// run one at a time, and the pool bounds the connections and keeps each open file on
// its own connection.
#include <libsmbclient.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/store/smb_credentials.hpp"

namespace dirmail::store::smb {

// How a context logs on: the account of a credentials file, or Kerberos with the
// ticket in `kerberos_cache` (user and realm from the principal).
struct SmbLogon {
  bool kerberos = false;
  std::string kerberos_cache;  // "FILE:/path"
  SmbCredentials account;      // with Kerberos: the principal's user and realm, no password
  // Kerberos: asked before a context is leased (without library_mutex() held); true when
  // it put a new ticket into kerberos_cache. Each context then logs on again when it
  // next serves a call with none of its files open, so that no SMB session outlives the
  // ticket it was made with (servers end such sessions).
  std::function<bool()> refresh_ticket;
};

// Errors that mean the connection, not the request, failed: the context reconnects.
bool is_connection_error(int err);

class SmbContextPool {
 public:
  class Lease {
   public:
    Lease(SmbContextPool* pool, std::size_t index) : pool_(pool), index_(index), library_(library_mutex()) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), index_(other.index_), library_(std::move(other.library_)) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    SMBCCTX* context() const;
    std::size_t index() const { return index_; }
    std::uint64_t generation() const;
    // Forgets the context's connections (the next call connects again) and makes the
    // files opened on it stale.
    void reconnect();

   private:
    SmbContextPool* pool_;
    std::size_t index_;
    std::unique_lock<std::mutex> library_;
  };

  // Held around every call into libsmbclient (see above).
  static std::mutex& library_mutex();

  static Result<std::unique_ptr<SmbContextPool>> create(SmbLogon logon, std::size_t size, std::chrono::milliseconds timeout);
  ~SmbContextPool();
  SmbContextPool(const SmbContextPool&) = delete;
  SmbContextPool& operator=(const SmbContextPool&) = delete;

  // Blocks until a context is free.
  Lease acquire_any();
  // Blocks until context `index` (the one a file was opened on) is free.
  Lease acquire(std::size_t index);

  // Files open on context `index` (a context with open files is not made to log on again).
  void file_opened(std::size_t index);
  void file_closed(std::size_t index);

 private:
  struct Slot {
    SMBCCTX* context = nullptr;
    bool busy = false;
    std::uint64_t generation = 0;
    std::size_t open_files = 0;
    std::uint64_t ticket = 0;  // the ticket_ it logged on with
  };
  SmbContextPool() = default;
  void give_back(std::size_t index);
  // Under library_mutex(): names the ticket's cache for libsmbclient's Kerberos (the
  // SYSVOL reader names its own between our calls).
  void use_ticket_cache() const;

  SmbLogon logon_;  // the contexts' auth callback reads it
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<Slot> slots_;
  std::uint64_t ticket_ = 0;  // counts the tickets refresh_ticket put in the cache
};

}  // namespace dirmail::store::smb
