#pragma once
// What an SMTP listener needs to run sessions. The daemon builds one per service
// (smtp, submission) and swaps `options` on reload; a session keeps the options it
// started with.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dirmail/auth/authenticator.hpp"
#include "dirmail/auth/gssapi_exchange.hpp"
#include "dirmail/auth/login_limiter.hpp"
#include "dirmail/auth/plaintext_policy.hpp"
#include "dirmail/base/retry_schedule.hpp"
#include "dirmail/directory/directory.hpp"
#include "dirmail/features/journal_rule.hpp"
#include "dirmail/net/blocking_pool.hpp"
#include "dirmail/net/listener.hpp"
#include "dirmail/net/session_set.hpp"
#include "dirmail/net/tls_context.hpp"
#include "dirmail/queue/queue.hpp"
#include "dirmail/smtp/received_template.hpp"
#include "dirmail/smtp/relay_rules.hpp"
#include "dirmail/store/mail_store.hpp"
#include "dirmail/store/mailbox_path.hpp"

namespace dirmail::smtp {

// The original's SMTP security levels (smtp.auth_security_level).
enum class SecurityLevel {
  open,       // 1: mail accepted with or without AUTH
  auth_only,  // 2: every message needs AUTH
  auth_file,  // 3: senders with a secrets-file entry must AUTH
};
std::optional<SecurityLevel> parse_security_level(std::string_view value);

// Who an authenticated user may send as (the original's sender trust).
enum class SenderTrust {
  auth_id,            // any envelope sender and From:
  envelope,           // the envelope sender must be one of the user's addresses
  envelope_and_from,  // and so must the From: header field
};
std::optional<SenderTrust> parse_sender_trust(std::string_view value);

struct SmtpOptions {
  std::string hostname;                 // greeting, Received:, replies
  std::uint64_t max_message_size = 0;   // bytes; 0 = unlimited
  std::size_t max_recipients = 100;
  // Mailbox limits at RCPT (mailbox_limit.hpp): where mailboxes are, and the limit of
  // accounts without their own (store.mailbox_limit; 0 = unlimited).
  store::MailboxLocation mailboxes;
  std::uint64_t mailbox_limit = 0;
  std::uint64_t max_header_size = 0;    // bytes of the header section; 0 = unlimited
  std::uint64_t max_header_fields = 0;  // 0 = unlimited
  std::uint64_t max_hops = 50;          // Received: fields; more is a loop (554 5.4.6); 0 = unlimited
  bool add_missing_headers = false;     // Message-ID and Date (submission, RFC 6409 §8)
  bool vrfy = false;                    // answer VRFY and EXPN from the directory
  SenderTrust sender_trust = SenderTrust::auth_id;
  std::shared_ptr<const ReceivedTemplate> received;  // null: the built-in template
  std::shared_ptr<const RelayRules> relay_rules;     // null: none (the default matrix)
  std::shared_ptr<const features::JournalRule> journal;  // null: no journaling
  std::chrono::seconds greeting_delay{0};  // smtp.greeting_delay: early talkers are refused
  std::chrono::seconds command_timeout{300};
  std::chrono::seconds data_timeout{600};
  auth::PlaintextPolicy plaintext_auth = auth::PlaintextPolicy::never;  // AUTH PLAIN/LOGIN without TLS
  bool require_auth = false;  // submission (RFC 6409): MAIL only after AUTH
  SecurityLevel security_level = SecurityLevel::open;
  // Checks AUTH; null: AUTH not offered. Swapped on reload with the options.
  std::shared_ptr<auth::Authenticator> authenticator;
  auth::PasswordSource password_source = auth::PasswordSource::directory;  // PLAIN and LOGIN
  bool cram_md5 = false;  // offer CRAM-MD5 (auth.cram_md5 and a secrets file)
  RetrySchedule directory_retry;  // RCPT and AUTH lookups while no directory server answers
  bool limit_loopback_logins = false;  // auth.limit_loopback
  std::shared_ptr<const net::TlsContext> tls;  // null: no certificate, no STARTTLS
  bool starttls = true;                        // offer STARTTLS (RFC 3207) when tls is set
  std::chrono::seconds handshake_timeout{30};
  // Kerberos single sign-on (AUTH GSSAPI, smtp/host@REALM); null: not offered.
  std::shared_ptr<const auth::GssapiAcceptor> gssapi;
};

struct SmtpService {
  std::string name;  // "smtp" or "submission": the log service and listener name
  std::atomic<std::shared_ptr<const SmtpOptions>> options;
  directory::Directory* directory = nullptr;
  auth::LoginLimiter* limiter = nullptr;  // brute-force delays; null: none
  queue::Queue* queue = nullptr;
  store::MailStore* store = nullptr;  // mailbox usage for the limit check; null: not checked
  net::BlockingPool* pool = nullptr;
  net::SessionSet* sessions = nullptr;
  std::function<void(const std::string& queue_id)> on_queued;  // hand over to delivery
};

// One session, from greeting to close.
net::awaitable<void> run_smtp_session(std::shared_ptr<SmtpService> service, net::Connection connection);

}  // namespace dirmail::smtp
