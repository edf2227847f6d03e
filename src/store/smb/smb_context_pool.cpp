#include "smb/smb_context_pool.hpp"

#include "dirmail/base/libsmbclient_mutex.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dirmail::store::smb {
namespace {

void copy_out(char* out, int size, const std::string& value) {
  if (size > 0) std::snprintf(out, static_cast<std::size_t>(size), "%s", value.c_str());
}

// libsmbclient asks for the account at each logon. With Kerberos the ticket comes from
// the cache: the user name only, no password.
void give_account(SMBCCTX* context, const char*, const char*, char* workgroup, int workgroup_size, char* user,
                  int user_size, char* password, int password_size) {
  const auto* logon = static_cast<const SmbLogon*>(smbc_getOptionUserData(context));
  copy_out(workgroup, workgroup_size, logon->account.domain);
  copy_out(user, user_size, logon->account.username);
  copy_out(password, password_size, logon->kerberos ? std::string() : logon->account.password);
}

}  // namespace

bool is_connection_error(int err) {
  switch (err) {
    case ECONNRESET:
    case ECONNABORTED:  // what libsmbclient answers when smbd was restarted under it
    case ECONNREFUSED:
    case EPIPE:
    case ETIMEDOUT:
    case ENOTCONN:
    case EHOSTUNREACH:
    case EHOSTDOWN:
    case ENETUNREACH:
    case ENETDOWN:
    case EIO:  // a session the server dropped, on some paths
      return true;
    default:
      return false;
  }
}

std::mutex& SmbContextPool::library_mutex() { return libsmbclient_mutex(); }

SmbContextPool::Lease::~Lease() {
  if (pool_ == nullptr) return;
  library_.unlock();
  pool_->give_back(index_);
}

SMBCCTX* SmbContextPool::Lease::context() const { return pool_->slots_[index_].context; }

std::uint64_t SmbContextPool::Lease::generation() const {
  std::lock_guard lock(pool_->mutex_);
  return pool_->slots_[index_].generation;
}

void SmbContextPool::Lease::reconnect() {
  SMBCCTX* context = pool_->slots_[index_].context;
  smbc_getFunctionPurgeCachedServers(context)(context);
  std::lock_guard lock(pool_->mutex_);
  ++pool_->slots_[index_].generation;
}

Result<std::unique_ptr<SmbContextPool>> SmbContextPool::create(SmbLogon logon, std::size_t size,
                                                               std::chrono::milliseconds timeout) {
  if (size == 0) return make_error(ErrorCode::invalid_argument, "the SMB context pool needs at least one context");
  std::unique_ptr<SmbContextPool> pool(new SmbContextPool());
  std::unique_lock library(library_mutex());  // released before a failed pool is freed
  pool->logon_ = std::move(logon);
  pool->use_ticket_cache();
  pool->slots_.resize(size);
  for (Slot& slot : pool->slots_) {
    SMBCCTX* ctx = smbc_new_context();
    if (ctx == nullptr) {
      library.unlock();
      return make_error(ErrorCode::internal, "smbc_new_context failed");
    }
    slot.context = ctx;
    smbc_setDebug(ctx, 0);
    smbc_setTimeout(ctx, static_cast<int>(timeout.count()));
    smbc_setOptionUserData(ctx, &pool->logon_);
    smbc_setFunctionAuthDataWithContext(ctx, give_account);
    smbc_setOptionNoAutoAnonymousLogin(ctx, 1);
    smbc_setOptionUseKerberos(ctx, pool->logon_.kerberos ? 1 : 0);
    smbc_setOptionFallbackAfterKerberos(ctx, 0);
    smbc_setOptionUseCCache(ctx, pool->logon_.kerberos ? 1 : 0);
    smbc_setUser(ctx, pool->logon_.account.username.c_str());
    smbc_setWorkgroup(ctx, pool->logon_.account.domain.c_str());
    if (smbc_init_context(ctx) == nullptr) {
      const int err = errno;
      library.unlock();
      return make_error(ErrorCode::internal, std::string("libsmbclient does not start: ") + std::strerror(err));
    }
  }
  return pool;
}

SmbContextPool::~SmbContextPool() {
  std::lock_guard library(library_mutex());
  for (Slot& slot : slots_)
    if (slot.context != nullptr) smbc_free_context(slot.context, 1);
}

void SmbContextPool::use_ticket_cache() const {
  if (!logon_.kerberos) return;
  // Read by libsmbclient's Heimdal when it connects; the process has one.
  const char* named = std::getenv("KRB5CCNAME");
  if (named == nullptr || logon_.kerberos_cache != named) ::setenv("KRB5CCNAME", logon_.kerberos_cache.c_str(), 1);
}

SmbContextPool::Lease SmbContextPool::acquire_any() {
  const bool renewed = logon_.refresh_ticket && logon_.refresh_ticket();
  std::unique_lock lock(mutex_);
  if (renewed) ++ticket_;
  for (;;) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (!slots_[i].busy) {
        slots_[i].busy = true;
        const bool log_on_again = slots_[i].ticket != ticket_ && slots_[i].open_files == 0;
        if (log_on_again) slots_[i].ticket = ticket_;
        lock.unlock();  // the Lease takes library_mutex(), whose holders may want mutex_
        Lease lease(this, i);
        use_ticket_cache();
        if (log_on_again) lease.reconnect();
        return lease;
      }
    }
    freed_.wait(lock);
  }
}

SmbContextPool::Lease SmbContextPool::acquire(std::size_t index) {
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [&] { return !slots_[index].busy; });
  slots_[index].busy = true;
  lock.unlock();
  Lease lease(this, index);
  use_ticket_cache();
  return lease;
}

void SmbContextPool::file_opened(std::size_t index) {
  std::lock_guard lock(mutex_);
  ++slots_[index].open_files;
}

void SmbContextPool::file_closed(std::size_t index) {
  std::lock_guard lock(mutex_);
  --slots_[index].open_files;
}

void SmbContextPool::give_back(std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    slots_[index].busy = false;
  }
  freed_.notify_all();
}

}  // namespace dirmail::store::smb

// libsmbclient's one-time setup (in the first smbc_new_context) keeps its log file name
// in talloc memory for the life of the process; LeakSanitizer (sanitizer builds) would
// report it at exit of every program that reaches a share. The fast unwinder stops in
// libtalloc (no frame pointers), so the suppression names it: only libsmbclient uses
// talloc in dirmail's programs. Defined here, in the code every SMB user links.
extern "C" const char* __lsan_default_suppressions() { return "leak:libtalloc.so\n"; }
