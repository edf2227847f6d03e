#pragma once
// The SMTP session class, private to the smtp library: smtp_session.cpp runs the
// commands, message_transfer.cpp DATA and BDAT, auth_command.cpp AUTH.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/auth/sasl_password_exchange.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/session_control.hpp"
#include "dirmail/smtp/command.hpp"
#include "dirmail/smtp/esmtp_parameters.hpp"
#include "dirmail/smtp/relay_rules.hpp"
#include "dirmail/smtp/smtp_service.hpp"
#include "message_intake.hpp"

namespace dirmail::smtp {

constexpr std::size_t max_line_piece = 4096;
constexpr int max_errors = 20;  // then 421: a client this confused is not a mail client
constexpr auto write_timeout = std::chrono::seconds(300);
constexpr auto failed_auth_delay = std::chrono::seconds(1);

class SmtpSession {
 public:
  SmtpSession(std::shared_ptr<SmtpService> service, net::Connection c)
      : service_(std::move(service)),
        options_(service_->options.load()),
        conn_(std::move(c)),
        reader_(conn_.stream, max_line_piece),
        control_(*service_->sessions, conn_.stream.socket()),
        log_(log::service(service_->name)) {}

  net::awaitable<void> run();

 private:
  // Returns false when the session must end.
  net::awaitable<bool> handle(const Command& cmd);
  net::awaitable<void> on_mail(std::string_view arg);
  net::awaitable<void> on_rcpt(std::string_view arg);
  net::awaitable<bool> on_data();
  // BDAT (RFC 3030): one chunk; the message ends with the LAST chunk.
  net::awaitable<bool> on_bdat(std::string_view arg);
  // The relay rules' verdict on one recipient (relay_check.cpp): true to take it,
  // false after the refusal (or a 451 when the directory cannot classify the sender).
  net::awaitable<bool> relay_permits(const std::string& address, const directory::Recipient& recipient);
  const RelayRules& relay_rules() const;
  // The mailbox limit of a local account (mailbox_limit_check.cpp): true to take the
  // recipient, false after a 452 4.2.2 or 552 5.2.2. A store that cannot tell the
  // usage does not refuse mail (delivery checks again).
  net::awaitable<bool> mailbox_has_room(const std::string& address, const directory::Account& account);
  // VRFY and EXPN (RFC 5321 §3.5): answered from the directory only when smtp.vrfy is on.
  net::awaitable<void> on_vrfy(std::string_view arg, bool expn);
  // Opens the queue file for the transaction and writes our Received: (or replies why
  // not and returns null).
  std::unique_ptr<queue::MessageWriter> begin_message();
  void add_journal_copies(queue::Envelope& env) const;
  // The end of DATA or of the last BDAT chunk: the intake's verdict, the sender-trust
  // check on From:, the commit, the reply. Resets the transaction.
  net::awaitable<bool> finish_message(queue::MessageWriter& writer, MessageIntake& intake);
  IntakeLimits intake_limits() const;
  // After a successful AUTH: who, and every address of theirs (sender trust).
  void remember_auth_user(const directory::Account& account);
  // Whether the authenticated user owns `address` (sender trust).
  bool owned_by_auth_user(std::string_view address) const;
  net::awaitable<bool> on_auth(std::string_view arg);
  net::awaitable<bool> on_auth_gssapi(auth::GssMechanism mechanism, std::string_view initial);
  // Checks a PLAIN, LOGIN or CRAM-MD5 claim (login limiter, directory retries) and answers.
  net::awaitable<bool> finish_sasl_password(const auth::SaslClaim& claim);
  // smtp.auth_security_level = auth_file: whether an unauthenticated sender must AUTH;
  // nullopt after a 451 (directory unavailable).
  net::awaitable<std::optional<bool>> sender_needs_auth(const std::string& sender);
  net::awaitable<bool> on_starttls(std::string_view arg);
  // PLAIN and LOGIN: the password in the clear, so only over TLS (or where allowed).
  bool password_auth_offered() const {
    return options_->authenticator != nullptr &&
           auth::plaintext_allowed(options_->plaintext_auth, conn_.stream.tls(), conn_.peer_is_loopback);
  }
  bool mechanism_offered(auth::SaslPasswordMechanism m) const {
    if (m == auth::SaslPasswordMechanism::cram_md5) return options_->authenticator != nullptr && options_->cram_md5;
    return password_auth_offered();
  }
  // Not a plaintext mechanism: offered without TLS too.
  bool gssapi_offered() const { return options_->gssapi != nullptr && service_->directory != nullptr; }
  bool starttls_offered() const { return options_->tls && options_->starttls && !conn_.stream.tls(); }
  net::awaitable<bool> discard_long_line();
  void ehlo_reply(std::string_view name);
  void reset_transaction();
  void reply(std::string_view text) {
    out_.append(text);
    out_.append("\r\n");
  }
  log::LogLine line(log::Record r) {
    log::LogLine l(log_, r);
    l.with("session", conn_.session_id).with("client", conn_.peer_address);
    return l;
  }
  std::string received_header(const std::string& queue_id) const;

  std::shared_ptr<SmtpService> service_;
  std::shared_ptr<const SmtpOptions> options_;
  net::Connection conn_;
  net::LineReader reader_;
  net::OutputBuffer out_;
  net::SessionControl control_;
  std::shared_ptr<spdlog::logger> log_;

  std::string helo_;
  bool esmtp_ = false;
  std::string auth_user_;  // the account address after a successful AUTH
  std::vector<std::string> auth_addresses_;  // every address of that account (lower case)
  bool have_sender_ = false;
  std::string sender_;
  Path sender_path_;
  std::optional<AddressClass> sender_class_;  // looked up at the first RCPT
  MailParameters mail_params_;
  std::vector<std::string> recipients_;
  std::vector<queue::RecipientDsn> recipient_dsn_;
  // BDAT in progress: the queue file and its intake, until the LAST chunk.
  std::unique_ptr<queue::MessageWriter> bdat_writer_;
  std::unique_ptr<MessageIntake> bdat_intake_;
  int errors_ = 0;
};

}  // namespace dirmail::smtp
