#include "ldap_session.hpp"

#include <sys/socket.h>

#include <condition_variable>
#include <thread>

#include "dirmail/base/strings.hpp"
#include "ldap_result_codes.hpp"

namespace dirmail::directory {
namespace {

using std::chrono::steady_clock;

timeval to_timeval(std::chrono::microseconds duration) {
  if (duration.count() < 0) duration = std::chrono::microseconds(0);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(duration.count() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(duration.count() % 1000000);
  return tv;
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

bool is_ldaps(std::string_view uri) { return istarts_with(uri, "ldaps://"); }

// Shuts the connection's socket down when a blocking libldap call (the TLS
// handshake) outlives its deadline: the blocked read then sees end of file and the
// call fails instead of waiting for ever.
class SocketWatchdog {
 public:
  SocketWatchdog(LdapSocketSlot& slot, Deadline deadline)
      : slot_(slot), deadline_(deadline), thread_([this] { watch(); }) {}
  ~SocketWatchdog() { stop(); }
  SocketWatchdog(const SocketWatchdog&) = delete;
  SocketWatchdog& operator=(const SocketWatchdog&) = delete;

  // Ends the watch; true when the deadline had passed and the socket was shut down.
  bool stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  void watch() {
    std::unique_lock lock(mutex_);
    if (wake_.wait_until(lock, deadline_, [this] { return stopped_; })) return;
    fired_ = true;
    // Under the slot's lock: libldap reports a closed socket through the same lock
    // (on_disconnect), so a descriptor number reused elsewhere is never touched.
    std::lock_guard slot_lock(slot_.mutex);
    if (slot_.fd >= 0) ::shutdown(slot_.fd, SHUT_RDWR);
  }

  LdapSocketSlot& slot_;
  Deadline deadline_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  bool fired_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// libldap's connect callbacks: the socket once TCP is up, before any TLS.
int on_connect(LDAP* ld, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* callbacks) {
  auto* slot = static_cast<LdapSocketSlot*>(callbacks->lc_arg);
  int fd = -1;
  ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd);
  {
    std::lock_guard lock(slot->mutex);
    slot->fd = fd;
    slot->connected = true;
  }
  // With a network timeout set, libldap runs the TLS handshake non-blocking, and
  // with GnuTLS that spins on a silent server. TCP is up: from here the watchdog
  // bounds the handshake, so it may block.
  timeval no_timeout{-1, 0};
  ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &no_timeout);
  return 0;
}

void on_disconnect(LDAP*, Sockbuf*, ldap_conncb* callbacks) {
  auto* slot = static_cast<LdapSocketSlot*>(callbacks->lc_arg);
  std::lock_guard lock(slot->mutex);
  slot->fd = -1;
}

}  // namespace

LdapSession::LdapSession(LDAP* ld, const LdapConnectionOptions& options) : ld_(ld), options_(options) {
  connect_callbacks_.lc_add = on_connect;
  connect_callbacks_.lc_del = on_disconnect;
  connect_callbacks_.lc_arg = &socket_;
}

LdapSession::~LdapSession() { ldap_unbind_ext(ld_, nullptr, nullptr); }

Result<std::unique_ptr<LdapSession>> LdapSession::connect(const LdapConnectionOptions& options) {
  bool tls_failed = false;
  auto session = establish(options, tls_failed);
  if (session.ok() || !tls_failed || !options.verify_certificate) return session;
  // Did the handshake fail on the certificate? Ask again without verifying; nothing
  // is sent over that connection but the handshake (and StartTLS).
  LdapConnectionOptions probe_options = options;
  probe_options.verify_certificate = false;
  bool probe_tls_failed = false;
  auto probe = establish(probe_options, probe_tls_failed);
  if (!probe.ok()) return session;
  std::string trusted = options.ca_file.empty() ? "the system's trusted CAs" : "CA file " + options.ca_file;
  std::string first = std::move(session).error().message;
  if (first.rfind(options.uri + ": ", 0) == 0) first.erase(0, options.uri.size() + 2);
  return make_error(ErrorCode::permission_denied,
                    options.uri + ": TLS certificate of the server not accepted: it does not verify "
                    "against " + trusted + " or does not name the host (" + first + ")");
}

Result<std::unique_ptr<LdapSession>> LdapSession::establish(const LdapConnectionOptions& options,
                                                           bool& tls_failed) {
  LDAP* ld = nullptr;
  int rc = ldap_initialize(&ld, options.uri.c_str());
  if (rc != LDAP_SUCCESS || ld == nullptr)
    return make_error(ErrorCode::invalid_argument,
                      options.uri + ": not a usable LDAP URI: " + ldap_err2string(rc));
  std::unique_ptr<LdapSession> session(new LdapSession(ld, options));
  DIRMAIL_TRY(session->set_options());
  DIRMAIL_TRY(session->open_socket(tls_failed));
  if (options.start_tls) DIRMAIL_TRY(session->start_tls(tls_failed));
  session->limit_socket_waits();
  return session;
}

Status LdapSession::set_options() {
  int version = LDAP_VERSION3;
  timeval network = to_timeval(options_.connect_timeout);
  timeval operation = to_timeval(options_.operation_timeout);
  int require_cert = options_.verify_certificate ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
  int tls_min = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  ber_len_t min_ssf = static_cast<ber_len_t>(options_.sasl_min_ssf);
  int client_context = 0;  // LDAP_OPT_X_TLS_NEWCTX: 0 = a client context

  struct Setting {
    int option;
    const void* value;
    const char* name;
  };
  const Setting settings[] = {
      {LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version"},
      {LDAP_OPT_REFERRALS, options_.chase_referrals ? LDAP_OPT_ON : LDAP_OPT_OFF, "referrals"},
      {LDAP_OPT_NETWORK_TIMEOUT, &network, "network timeout"},
      {LDAP_OPT_TIMEOUT, &operation, "timeout"},
      {LDAP_OPT_RESTART, LDAP_OPT_ON, "restart"},
      {LDAP_OPT_CONNECT_CB, &connect_callbacks_, "connect callbacks"},
      {LDAP_OPT_X_TLS_REQUIRE_CERT, &require_cert, "TLS require cert"},
      {LDAP_OPT_X_TLS_PROTOCOL_MIN, &tls_min, "TLS protocol minimum"},
      // The SASL host is the one in the URI: reverse DNS (libldap's default) names
      // whatever the resolver says, which is not the DC's SPN on many networks.
      {LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON, "SASL nocanon"},
      {LDAP_OPT_X_SASL_SSF_MIN, &min_ssf, "SASL minimum SSF"},
  };
  for (const Setting& s : settings) {
    if (ldap_set_option(ld_, s.option, s.value) != LDAP_OPT_SUCCESS)
      return make_error(ErrorCode::invalid_argument,
                        options_.uri + ": cannot set the LDAP option " + s.name);
  }
  if (!options_.ca_file.empty() &&
      ldap_set_option(ld_, LDAP_OPT_X_TLS_CACERTFILE, options_.ca_file.c_str()) != LDAP_OPT_SUCCESS)
    return make_error(ErrorCode::invalid_argument, options_.uri + ": cannot use CA file " + options_.ca_file);
  // Last: the handle's own TLS context, built from the options set above.
  int rc = ldap_set_option(ld_, LDAP_OPT_X_TLS_NEWCTX, &client_context);
  if (rc != LDAP_OPT_SUCCESS)
    return make_error(ErrorCode::invalid_argument,
                      options_.uri + ": cannot make a TLS context" +
                          (options_.ca_file.empty() ? std::string() : " with CA file " + options_.ca_file) +
                          ": " + printable_diagnostic(diagnostic()));
  return ok_status();
}

Status LdapSession::open_socket(bool& tls_failed) {
  SocketWatchdog watchdog(socket_, steady_clock::now() + options_.connect_timeout);
  int rc = ldap_connect(ld_);
  bool expired = watchdog.stop();
  if (rc == LDAP_SUCCESS) return ok_status();
  bool connected = false;
  {
    std::lock_guard lock(socket_.mutex);
    connected = socket_.connected;
  }
  bool tls = connected && is_ldaps(options_.uri);
  if (expired)
    return make_error(ErrorCode::temporary_failure,
                      options_.uri + ": " + (tls ? "TLS handshake" : "connect") +
                          " failed: no answer within " + millis(options_.connect_timeout));
  tls_failed = tls;
  int result = last_result();
  if (result == LDAP_SUCCESS) result = LDAP_SERVER_DOWN;
  return failure(result, tls ? "TLS handshake" : "connect", diagnostic());
}

Status LdapSession::start_tls(bool& tls_failed) {
  int msgid = 0;
  int rc = ldap_start_tls(ld_, nullptr, nullptr, &msgid);
  if (rc != LDAP_SUCCESS) return failure(rc, "StartTLS", diagnostic());
  auto reply = wait(msgid, operation_deadline(), "StartTLS");
  if (!reply) return std::move(reply).error();
  int result = LDAP_OTHER;
  char* text = nullptr;
  rc = ldap_parse_result(ld_, reply->get(), &result, nullptr, &text, nullptr, nullptr, 0);
  std::string server_text = text != nullptr ? text : "";
  ldap_memfree(text);
  if (rc != LDAP_SUCCESS) return failure(rc, "StartTLS", diagnostic());
  if (result != LDAP_SUCCESS) return failure(result, "StartTLS", server_text);

  SocketWatchdog watchdog(socket_, steady_clock::now() + options_.connect_timeout);
  rc = ldap_install_tls(ld_);
  bool expired = watchdog.stop();
  if (rc == LDAP_SUCCESS) return ok_status();
  if (expired)
    return make_error(ErrorCode::temporary_failure,
                      options_.uri + ": TLS handshake after StartTLS failed: no answer within " +
                          millis(options_.connect_timeout));
  tls_failed = true;
  return failure(rc, "TLS handshake after StartTLS", diagnostic());
}

void LdapSession::limit_socket_waits() {
  // on_connect switched the network timeout off for the handshake; a later
  // connection of this handle (a referral) gets its connect bounded again.
  timeval network = to_timeval(options_.connect_timeout);
  ldap_set_option(ld_, LDAP_OPT_NETWORK_TIMEOUT, &network);
  int fd = -1;
  if (ldap_get_option(ld_, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS || fd < 0) return;
  timeval limit = to_timeval(options_.operation_timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

Status LdapSession::bind() {
  switch (options_.bind) {
    case LdapBindMethod::anonymous: {
      // An explicit anonymous bind: the server must answer once before open()
      // returns, so a hung one is caught here and not at the first search.
      auto outcome = simple_bind("", "");
      if (!outcome) return std::move(outcome).error();
      if (outcome->result != LDAP_SUCCESS) return failure(outcome->result, "anonymous bind", outcome->diagnostic);
      return ok_status();
    }
    case LdapBindMethod::simple: {
      auto outcome = simple_bind(options_.bind_dn, options_.bind_password);
      if (!outcome) return std::move(outcome).error();
      if (outcome->result != LDAP_SUCCESS)
        return failure(outcome->result, "bind as " + options_.bind_dn, outcome->diagnostic);
      return ok_status();
    }
    case LdapBindMethod::gssapi:
      return gssapi_bind();
  }
  return make_error(ErrorCode::invalid_argument, options_.uri + ": unknown bind method");
}

Result<BindOutcome> LdapSession::simple_bind(std::string_view name, std::string_view password) {
  std::string dn(name);
  std::string secret(password);
  berval credentials{secret.size(), secret.data()};
  std::string what = dn.empty() ? "anonymous bind" : "bind as " + dn;
  int msgid = 0;
  int rc = ldap_sasl_bind(ld_, dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, &msgid);
  if (rc != LDAP_SUCCESS) return failure(rc, what, diagnostic());
  auto reply = wait(msgid, operation_deadline(), what);
  if (!reply) return std::move(reply).error();
  BindOutcome outcome;
  char* text = nullptr;
  rc = ldap_parse_result(ld_, reply->get(), &outcome.result, nullptr, &text, nullptr, nullptr, 0);
  if (text != nullptr) outcome.diagnostic = text;
  ldap_memfree(text);
  if (rc != LDAP_SUCCESS) return failure(rc, what, diagnostic());
  return outcome;
}

Result<LdapMessagePtr> LdapSession::wait(int msgid, Deadline deadline, std::string_view what,
                                         int* client_result) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - steady_clock::now());
  timeval tv = to_timeval(left);
  LDAPMessage* message = nullptr;
  int rc = ldap_result(ld_, msgid, LDAP_MSG_ONE, &tv, &message);
  if (rc == 0) {
    ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
    if (client_result != nullptr) *client_result = LDAP_TIMEOUT;
    return make_error(ErrorCode::temporary_failure, options_.uri + ": " + std::string(what) +
                                                        " failed: no answer within " +
                                                        millis(options_.operation_timeout));
  }
  if (rc < 0 || message == nullptr) {
    int result = last_result();
    if (result == LDAP_SUCCESS) result = LDAP_SERVER_DOWN;
    if (client_result != nullptr) *client_result = result;
    return failure(result, what, diagnostic());
  }
  return LdapMessagePtr(message);
}

std::string LdapSession::diagnostic() {
  char* text = nullptr;
  if (ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text) != LDAP_OPT_SUCCESS || text == nullptr) return {};
  std::string out = text;
  ldap_memfree(text);
  return out;
}

int LdapSession::last_result() {
  int result = LDAP_SUCCESS;
  ldap_get_option(ld_, LDAP_OPT_RESULT_CODE, &result);
  return result;
}

Error LdapSession::failure(int ldap_result, std::string_view what, std::string_view text) {
  return ldap_failure(ldap_result, options_.uri, what, text);
}

}  // namespace dirmail::directory
