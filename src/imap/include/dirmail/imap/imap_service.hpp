#pragma once
// What an IMAP listener needs to run sessions (IMAP4rev1, RFC 3501; response codes of
// RFC 5530). The daemon swaps `options` on reload; a session keeps the options it
// started with.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "dirmail/auth/authenticator.hpp"
#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/login_limiter.hpp"
#include "dirmail/auth/plaintext_policy.hpp"
#include "dirmail/base/retry_schedule.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/net/account_sessions.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/listener.hpp"
#include "dirmail/net/session_set.hpp"
#include "dirmail/net/tls_context.hpp"
#include "dirmail/store/mail_store.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::imap {

struct ImapOptions {
  std::string hostname;
  std::chrono::seconds idle_timeout{1800};  // RFC 3501 §5.4: at least 30 minutes
  auth::PlaintextPolicy plaintext_auth = auth::PlaintextPolicy::never;
  store::MailboxLocation mailboxes;
  RetrySchedule directory_retry;  // logins while no directory server answers
  bool limit_loopback_logins = false;  // auth.limit_loopback
  std::shared_ptr<const net::TlsContext> tls;  // null: no certificate, no STARTTLS
  bool starttls = true;                        // offer STARTTLS (RFC 3501 §6.2.1) when tls is set
  std::chrono::seconds handshake_timeout{30};
  // IDLE (RFC 2177): how often the folder is read again to find changes made by other processes
  // or nodes. Changes made through this process are pushed at once (MailStore::watch); with a
  // store that cannot tell, within idle_check_interval (its change count is compared).
  std::chrono::seconds idle_poll_interval{30};
  std::chrono::milliseconds idle_check_interval{1000};
  // Kerberos single sign-on (AUTHENTICATE GSSAPI, imap/host@REALM); null: not offered.
  std::shared_ptr<const auth::GssapiAcceptor> gssapi;
  // Checks LOGIN and AUTHENTICATE; null: no password logins. Swapped on reload.
  std::shared_ptr<auth::Authenticator> authenticator;
  bool cram_md5 = false;  // offer AUTHENTICATE CRAM-MD5 (auth.cram_md5 and a secrets file)
  // Mailbox limit of accounts without their own (store.mailbox_limit); 0 = unlimited.
  // APPEND and COPY beyond it get NO [OVERQUOTA].
  std::uint64_t mailbox_limit = 0;
  // Largest APPEND message (APPENDLIMIT, RFC 7889); at most max_append_message (command.hpp).
  std::size_t max_append_size = 25 * 1024 * 1024;
  // Where an APPEND message larger than 64 KiB waits, in a file with no name, until it
  // is stored (server.data_dir/tmp); empty: the system temp folder.
  std::string spool_dir;
  // Logged-in sessions one account may have at once (imap.max_sessions_per_user); a
  // login beyond it gets NO [LIMIT]. 0: no limit.
  std::size_t max_sessions_per_user = 20;
};

struct ImapService {
  std::string name = "imap";
  std::atomic<std::shared_ptr<const ImapOptions>> options;
  directory::Directory* directory = nullptr;  // GSSAPI logins: the account without a password
  auth::LoginLimiter* limiter = nullptr;  // brute-force delays; null: none
  store::MailStore* store = nullptr;
  net::BlockingPool* pool = nullptr;
  net::SessionSet* sessions = nullptr;
  net::AccountSessions accounts;  // logged-in sessions per account
};

net::awaitable<void> run_imap_session(std::shared_ptr<ImapService> service, net::Connection connection);

}  // namespace dirmail::imap
