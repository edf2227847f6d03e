#pragma once
// What a POP3 listener needs to run sessions (RFC 1939, RFC 2449 CAPA, RFC 3206
// response codes). The daemon swaps `options` on reload.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "dirmail/auth/authenticator.hpp"
#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/login_limiter.hpp"
#include "dirmail/auth/plaintext_policy.hpp"
#include "dirmail/base/retry_schedule.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/listener.hpp"
#include "dirmail/net/session_set.hpp"
#include "dirmail/net/tls_context.hpp"
#include "dirmail/store/mail_store.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::pop3 {

struct Pop3Options {
  std::string hostname;
  std::string node_name;  // names this node's maildrop leases (maildrop_lease.hpp)
  std::chrono::seconds idle_timeout{600};
  auth::PlaintextPolicy plaintext_auth = auth::PlaintextPolicy::never;
  store::MailboxLocation mailboxes;
  RetrySchedule directory_retry;  // logins while no directory server answers
  bool limit_loopback_logins = false;  // auth.limit_loopback
  std::shared_ptr<const net::TlsContext> tls;  // null: no certificate, no STLS
  bool starttls = true;                        // offer STLS (RFC 2595) when tls is set
  std::chrono::seconds handshake_timeout{30};
  // Kerberos single sign-on (AUTH GSSAPI, pop/host@REALM); null: not offered.
  std::shared_ptr<const auth::GssapiAcceptor> gssapi;
  // Checks USER/PASS, APOP and AUTH; null: no password logins. Swapped on reload.
  std::shared_ptr<auth::Authenticator> authenticator;
  bool cram_md5 = false;  // offer AUTH CRAM-MD5 (auth.cram_md5 and a secrets file)
  bool apop = false;      // offer APOP (pop3.apop and a secrets file)
};

// RFC 1939 asks for an exclusive lock on the maildrop for the whole session.
class MailboxLocks {
 public:
  bool try_lock(const std::string& root) {
    std::lock_guard l(mu_);
    return held_.insert(root).second;
  }
  void unlock(const std::string& root) {
    std::lock_guard l(mu_);
    held_.erase(root);
  }

 private:
  std::mutex mu_;
  std::set<std::string> held_;
};

struct Pop3Service {
  std::string name = "pop3";
  std::atomic<std::shared_ptr<const Pop3Options>> options;
  directory::Directory* directory = nullptr;  // GSSAPI logins: the account without a password
  auth::LoginLimiter* limiter = nullptr;  // brute-force delays; null: none
  store::MailStore* store = nullptr;
  net::BlockingPool* pool = nullptr;
  net::SessionSet* sessions = nullptr;
  MailboxLocks locks;
  // A cluster node that holds the store lease: maildrop leases of the other node's
  // sessions are stale (that node is fenced), so its users get their mail at once.
  std::atomic<bool> sole_writer{false};
};

net::awaitable<void> run_pop3_session(std::shared_ptr<Pop3Service> service, net::Connection connection);

}  // namespace dirmail::pop3
