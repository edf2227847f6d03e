#pragma once
// Kerberos single sign-on for IMAP, POP3 and SMTP: the server side of the SASL
// mechanisms GSSAPI (RFC 4752) and GSS-SPNEGO on MIT GSSAPI.
//
// GssapiAcceptor is the acceptor credential of one service principal
// (imap/host@REALM, pop/host@REALM, smtp/host@REALM), read once from the service
// keytab with gss_acquire_cred_from (no KRB5_KTNAME, no process-wide state): one for
// Kerberos, one for SPNEGO that negotiates Kerberos only (no NTLM). A ticket for any
// other principal is refused: GSSAPI picks the key by this name, and since AD keeps
// all SPNs of one account under one key, the ticket's server name is compared too
// (kerberos_ticket_name.hpp; inside SPNEGO, spnego_token.hpp finds the ticket).
//
// GssapiExchange runs one authentication: step() takes each base64 client response
// and answers with a base64 challenge, the authenticated user, or a failure with a
// reason for the log. GSSAPI's security layer negotiation offers "no security layer"
// with a maximum buffer of 0: the connection is protected by TLS or is on loopback.
// GSS-SPNEGO (the name Microsoft and Cyrus SASL use) carries raw SPNEGO tokens and has
// no such round: the client is authenticated when the context is; a last server token
// (the NegTokenResp with the mechListMIC) goes out as a challenge, and the client's
// empty answer ends the exchange. No security layer is installed either way.
// The client principal must be name@REALM of the configured realm; its name is the
// account name (sAMAccountName). An authorization identity other than the user is
// refused. The account itself is checked against the directory by the caller.
//
// step() may read the replay cache on disk: call it from the blocking pool.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

// Base64 text of one client response: Kerberos tickets from AD carry the PAC, which
// grows with the user's groups (MaxTokenSize is 48000 bytes).
inline constexpr std::size_t max_gssapi_response = 65536;

// The SASL mechanisms a GssapiAcceptor serves.
enum class GssMechanism { gssapi, gss_spnego };

// "GSSAPI" or "GSS-SPNEGO" (without case), as a client names it in AUTH/AUTHENTICATE.
std::optional<GssMechanism> parse_gss_mechanism(std::string_view sasl_name);
std::string_view sasl_name(GssMechanism mechanism);  // "GSSAPI", "GSS-SPNEGO"
std::string_view log_name(GssMechanism mechanism);   // "gssapi", "gss-spnego"

struct GssapiAcceptorOptions {
  std::string keytab;    // path of the service keytab
  std::string service;   // "imap", "pop" or "smtp"
  std::string hostname;  // the name clients connect to, e.g. mail.corp.example.test
  std::string realm;     // the realm of the service principal and of the users (upper-cased)
};

class GssapiAcceptor {
 public:
  // invalid_argument naming the keytab and principal when the credential cannot be
  // had (no such keytab, principal not in it, empty realm or host name).
  static Result<std::shared_ptr<const GssapiAcceptor>> load(const GssapiAcceptorOptions& options);
  ~GssapiAcceptor();
  GssapiAcceptor(const GssapiAcceptor&) = delete;
  GssapiAcceptor& operator=(const GssapiAcceptor&) = delete;

  const std::string& service_principal() const { return principal_; }
  const std::string& realm() const { return realm_; }

 private:
  friend class GssapiExchange;
  struct Credential;
  GssapiAcceptor(std::unique_ptr<Credential> kerberos, std::unique_ptr<Credential> spnego, std::string principal,
                 std::string realm);
  std::unique_ptr<Credential> kerberos_;
  std::unique_ptr<Credential> spnego_;
  std::string principal_;
  std::string realm_;
};

struct GssapiStep {
  enum class State { challenge, authenticated, failed };
  State state = State::failed;
  std::string challenge;  // challenge: base64 text for the client (may be empty)
  std::string principal;  // authenticated: "alice@CORP.EXAMPLE.TEST"
  std::string account;    // authenticated: "alice", the name to find in the directory
  std::string reason;     // failed: why, for the log (the client hears a generic failure)
};

class GssapiExchange {
 public:
  explicit GssapiExchange(std::shared_ptr<const GssapiAcceptor> acceptor,
                          GssMechanism mechanism = GssMechanism::gssapi);
  ~GssapiExchange();
  GssapiExchange(const GssapiExchange&) = delete;
  GssapiExchange& operator=(const GssapiExchange&) = delete;

  // One client response (base64; "" for an empty one). After authenticated or
  // failed the exchange is over and further steps fail.
  GssapiStep step(std::string_view base64_response);

 private:
  enum class Phase { accepting, awaiting_empty, awaiting_layer, finished };
  GssapiStep accept(const std::string& token);
  // Why a client token must not reach the acceptor; "" when it may.
  std::string kerberos_refusal(const std::string& token) const;
  std::string spnego_refusal(const std::string& token);
  std::string ticket_refusal(std::string_view kerberos_token) const;
  GssapiStep offer_layer();
  GssapiStep choose_layer(const std::string& wrapped);
  GssapiStep end_spnego(const std::string& response);
  GssapiStep authenticated();
  GssapiStep fail(std::string reason);

  struct Context;
  std::shared_ptr<const GssapiAcceptor> acceptor_;
  GssMechanism mechanism_;
  std::unique_ptr<Context> context_;
  Phase phase_ = Phase::accepting;
  bool ticket_checked_ = false;  // GSS-SPNEGO: the one Kerberos token has been seen
  std::string principal_;
  std::string account_;
};

// The account name of a client principal: "alice@CORP.EXAMPLE.TEST" -> "alice" when
// the realm is `realm` (compared without case, as AD does). invalid_argument for
// another realm, a principal of two or more components (a service, "alice/admin")
// or a name AD would not allow as a sAMAccountName.
Result<std::string> account_name_of_principal(std::string_view principal, std::string_view realm);

// Whether a SASL authorization identity names the authenticated user itself: empty,
// the principal, the account name or the account name with any "@domain".
bool authzid_is_user(std::string_view authzid, std::string_view principal, std::string_view account);

}  // namespace dirmail::auth
