#pragma once
// One libldap handle (LDAP*) for one connection: options set on the handle, never as
// libldap globals (each connection has its own TLS context), and every wait bounded:
//   - TCP connect: LDAP_OPT_NETWORK_TIMEOUT (connect_timeout);
//   - TLS handshake (ldaps:// and StartTLS): a watchdog that shuts the socket down at
//     connect_timeout. libldap 2.5 with GnuTLS spins without end in a non-blocking
//     handshake with a silent peer and never times out, so the handshake runs
//     blocking and the watchdog ends it;
//   - every request: ldap_result with the time left until operation_timeout, and
//     SO_RCVTIMEO/SO_SNDTIMEO on the socket, so a reply that stops half-way cannot
//     block a read forever either.
// libldap writes with write(2): the process must ignore or block SIGPIPE.
#include <ldap.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {

struct LdapMessageFree {
  void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
using LdapMessagePtr = std::unique_ptr<LDAPMessage, LdapMessageFree>;

using Deadline = std::chrono::steady_clock::time_point;

// A bind's answer from the server: its result code and diagnostic message.
struct BindOutcome {
  int result = LDAP_OTHER;
  std::string diagnostic;
};

// The connection's socket as libldap's connect callbacks report it, for the watchdog.
struct LdapSocketSlot {
  std::mutex mutex;
  int fd = -1;
  bool connected = false;  // TCP connect succeeded at least once
};

class LdapSession {
 public:
  // ldap_initialize, the options, the TCP connection (and TLS for ldaps://), then
  // StartTLS when asked. No bind yet. A TLS failure is probed once more without
  // certificate verification: if that succeeds, the certificate is what failed
  // (permission_denied, naming the CA file), not the server (temporary_failure).
  static Result<std::unique_ptr<LdapSession>> connect(const LdapConnectionOptions& options);
  ~LdapSession();
  LdapSession(const LdapSession&) = delete;
  LdapSession& operator=(const LdapSession&) = delete;

  // The bind that options.bind asks for, mapped to an error when refused.
  Status bind();
  // A simple bind; an error only when no answer came (transport, timeout).
  Result<BindOutcome> simple_bind(std::string_view name, std::string_view password);

  Result<std::vector<LdapEntry>> search(const LdapSearch& request);

  // ldap_write.cpp: one request each, answered within the operation timeout.
  LdapWriteResult add(std::string_view dn, const std::vector<LdapAttribute>& attributes);
  LdapWriteResult modify(std::string_view dn, const std::vector<LdapModification>& modifications);
  LdapWriteResult remove(std::string_view dn);

  const std::string& uri() const { return options_.uri; }

 private:
  LdapSession(LDAP* ld, const LdapConnectionOptions& options);
  static Result<std::unique_ptr<LdapSession>> establish(const LdapConnectionOptions& options,
                                                       bool& tls_failed);
  Status set_options();
  Status open_socket(bool& tls_failed);
  Status start_tls(bool& tls_failed);
  Status gssapi_bind();
  void limit_socket_waits();

  Deadline operation_deadline() const {
    return std::chrono::steady_clock::now() + options_.operation_timeout;
  }
  // The next message for msgid, waiting until the deadline; on timeout the request
  // is abandoned and temporary_failure returned. `client_result`, when given, gets
  // libldap's code for a missing answer (LDAP_TIMEOUT, LDAP_SERVER_DOWN, ...).
  Result<LdapMessagePtr> wait(int msgid, Deadline deadline, std::string_view what, int* client_result = nullptr);
  // The answer to a write sent as msgid (`sent` is the send call's return code).
  LdapWriteResult write_result(int sent, int msgid, std::string_view what);
  std::string diagnostic();
  int last_result();
  Error failure(int ldap_result, std::string_view what, std::string_view diagnostic);
  LdapEntry read_entry(LDAPMessage* entry);

  LDAP* ld_;
  LdapConnectionOptions options_;
  LdapSocketSlot socket_;
  ldap_conncb connect_callbacks_{};
};

}  // namespace dirmail::directory
