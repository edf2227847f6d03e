#include "dirmail/auth/gssapi_exchange.hpp"

#include <cctype>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "dirmail/auth/kerberos_ticket_name.hpp"
#include "dirmail/auth/spnego_token.hpp"
#include "dirmail/base/base64.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/krb5_handles.hpp"

namespace dirmail::auth {
namespace {

constexpr std::size_t max_authzid = 256;
// RFC 4752 §3.3: the bit of "no security layer" in the first octet.
constexpr unsigned char no_security_layer = 0x01;

gss_OID_desc krb5_mechanism = {9, const_cast<char*>("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02")};
gss_OID_desc spnego_mechanism = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

// The text of every status message of one kind (GSS_C_GSS_CODE or GSS_C_MECH_CODE).
// `mechanism`: the one whose minor codes these are; GSS_C_NO_OID lets the mechglue
// find it (SPNEGO passes on its inner mechanism's codes).
void append_status(std::string& out, OM_uint32 code, int type, gss_OID mechanism) {
  OM_uint32 context = 0;
  do {
    OM_uint32 minor = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    OM_uint32 major = gss_display_status(&minor, code, type, mechanism, &context, &text);
    if (GSS_ERROR(major)) break;
    if (!out.empty()) out += ": ";
    out.append(static_cast<const char*>(text.value), text.length);
    gss_release_buffer(&minor, &text);
  } while (context != 0);
}

// "Unspecified GSS failure: Wrong principal in request" and the like.
std::string gss_error_text(OM_uint32 major, OM_uint32 minor, gss_OID mechanism = &krb5_mechanism) {
  std::string text;
  append_status(text, major, GSS_C_GSS_CODE, mechanism);
  if (minor != 0) append_status(text, minor, GSS_C_MECH_CODE, mechanism);
  return text;
}

struct Buffer {
  gss_buffer_desc buffer = GSS_C_EMPTY_BUFFER;
  ~Buffer() {
    OM_uint32 minor = 0;
    if (buffer.length != 0 || buffer.value != nullptr) gss_release_buffer(&minor, &buffer);
  }
  std::string text() const { return std::string(static_cast<const char*>(buffer.value), buffer.length); }
};

struct Name {
  gss_name_t name = GSS_C_NO_NAME;
  ~Name() {
    OM_uint32 minor = 0;
    if (name != GSS_C_NO_NAME) gss_release_name(&minor, &name);
  }
};

gss_buffer_desc view(const std::string& s) {
  return gss_buffer_desc{s.size(), const_cast<char*>(s.data())};
}

bool valid_account_name(std::string_view name) {
  // AD forbids these in a sAMAccountName; "\\" would also be a krb5 escape.
  constexpr std::string_view forbidden = "\"/\\[]:;|=,+*?<>@";
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || forbidden.find(c) != std::string_view::npos) return false;
  }
  return true;
}

// Why `keytab` cannot accept tickets for `principal`; "" when it holds a key for it.
std::string keytab_lacks(const std::string& keytab, const std::string& principal) {
  directory::Krb5Context ctx;
  krb5_error_code rc = krb5_init_context(&ctx.context);
  if (rc != 0) return "cannot read the Kerberos configuration (error " + std::to_string(rc) + ")";
  directory::Krb5Keytab kt{ctx.context};
  directory::Krb5Principal princ{ctx.context};
  std::string name = directory::keytab_name_for(keytab);
  if ((rc = krb5_kt_resolve(ctx.context, name.c_str(), &kt.keytab)) != 0 ||
      (rc = krb5_parse_name(ctx.context, principal.c_str(), &princ.principal)) != 0)
    return directory::krb5_error_text(ctx.context, rc);
  krb5_keytab_entry entry{};
  if ((rc = krb5_kt_get_entry(ctx.context, kt.keytab, princ.principal, 0, 0, &entry)) != 0)
    return directory::krb5_error_text(ctx.context, rc);
  krb5_free_keytab_entry_contents(ctx.context, &entry);
  return "";
}

}  // namespace

std::optional<GssMechanism> parse_gss_mechanism(std::string_view name) {
  if (iequals(name, "GSSAPI")) return GssMechanism::gssapi;
  if (iequals(name, "GSS-SPNEGO")) return GssMechanism::gss_spnego;
  return std::nullopt;
}

std::string_view sasl_name(GssMechanism mechanism) {
  return mechanism == GssMechanism::gssapi ? "GSSAPI" : "GSS-SPNEGO";
}

std::string_view log_name(GssMechanism mechanism) {
  return mechanism == GssMechanism::gssapi ? "gssapi" : "gss-spnego";
}

struct GssapiAcceptor::Credential {
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  ~Credential() {
    OM_uint32 minor = 0;
    if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred);
  }
};

struct GssapiExchange::Context {
  gss_ctx_id_t context = GSS_C_NO_CONTEXT;
  ~Context() {
    OM_uint32 minor = 0;
    if (context != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &context, GSS_C_NO_BUFFER);
  }
};

GssapiAcceptor::GssapiAcceptor(std::unique_ptr<Credential> kerberos, std::unique_ptr<Credential> spnego,
                               std::string principal, std::string realm)
    : kerberos_(std::move(kerberos)),
      spnego_(std::move(spnego)),
      principal_(std::move(principal)),
      realm_(std::move(realm)) {}

GssapiAcceptor::~GssapiAcceptor() = default;

Result<std::shared_ptr<const GssapiAcceptor>> GssapiAcceptor::load(const GssapiAcceptorOptions& options) {
  if (options.realm.empty() || options.hostname.empty() || options.service.empty())
    return make_error(ErrorCode::invalid_argument, "GSSAPI needs a realm, a host name and a service name");
  if (options.keytab.empty()) return make_error(ErrorCode::invalid_argument, "GSSAPI needs a keytab");
  // The full principal name, not a host-based service name: no DNS canonicalization of
  // our own host name, and the realm is the configured one.
  // AD's Kerberos realm is its DNS domain in upper case; directory.realm may be either.
  std::string realm = options.realm;
  for (char& c : realm) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string principal = options.service + "/" + to_lower(options.hostname) + "@" + realm;
  std::string prefix = "GSSAPI credential for " + principal + " from keytab " + options.keytab;
  // Checked with krb5 first: a clearer message, and MIT 1.20 leaks a principal when
  // gss_acquire_cred_from fails on a missing keytab entry.
  if (auto missing = keytab_lacks(options.keytab, principal); !missing.empty())
    return make_error(ErrorCode::invalid_argument, prefix + ": " + missing);
  OM_uint32 minor = 0;
  Name name;
  gss_buffer_desc text = view(principal);
  OM_uint32 major = gss_import_name(&minor, &text, GSS_KRB5_NT_PRINCIPAL_NAME, &name.name);
  if (GSS_ERROR(major))
    return make_error(ErrorCode::invalid_argument, prefix + ": " + gss_error_text(major, minor));

  std::string keytab_name = directory::keytab_name_for(options.keytab);
  gss_key_value_element_desc element{"keytab", keytab_name.c_str()};
  gss_key_value_set_desc store{1, &element};
  gss_OID_set_desc kerberos_only{1, &krb5_mechanism};
  auto kerberos = std::make_unique<Credential>();
  major = gss_acquire_cred_from(&minor, name.name, GSS_C_INDEFINITE, &kerberos_only, GSS_C_ACCEPT, &store,
                                &kerberos->cred, nullptr, nullptr);
  if (GSS_ERROR(major))
    return make_error(ErrorCode::invalid_argument, prefix + ": " + gss_error_text(major, minor));
  // SPNEGO would offer every mechanism installed (gss-ntlmssp brings NTLM): Kerberos
  // only, as NTLM would log users in without a ticket, so without the service check.
  gss_OID_set_desc spnego_only{1, &spnego_mechanism};
  auto spnego = std::make_unique<Credential>();
  major = gss_acquire_cred_from(&minor, name.name, GSS_C_INDEFINITE, &spnego_only, GSS_C_ACCEPT, &store,
                                &spnego->cred, nullptr, nullptr);
  if (!GSS_ERROR(major)) major = gss_set_neg_mechs(&minor, spnego->cred, &kerberos_only);
  if (GSS_ERROR(major))
    return make_error(ErrorCode::invalid_argument,
                      prefix + " (SPNEGO): " + gss_error_text(major, minor, GSS_C_NO_OID));
  return std::shared_ptr<const GssapiAcceptor>(
      new GssapiAcceptor(std::move(kerberos), std::move(spnego), std::move(principal), std::move(realm)));
}

GssapiExchange::GssapiExchange(std::shared_ptr<const GssapiAcceptor> acceptor, GssMechanism mechanism)
    : acceptor_(std::move(acceptor)), mechanism_(mechanism), context_(std::make_unique<Context>()) {}

GssapiExchange::~GssapiExchange() = default;

GssapiStep GssapiExchange::fail(std::string reason) {
  phase_ = Phase::finished;
  GssapiStep s;
  s.state = GssapiStep::State::failed;
  s.reason = std::move(reason);
  return s;
}

GssapiStep GssapiExchange::step(std::string_view base64_response) {
  if (phase_ == Phase::finished) return fail("the exchange is already over");
  if (base64_response.size() > max_gssapi_response) return fail("response too long");
  auto raw = base64_decode(base64_response);
  if (!raw) return fail("response is not base64");
  switch (phase_) {
    case Phase::accepting: return accept(*raw);
    case Phase::awaiting_empty:
      if (mechanism_ == GssMechanism::gss_spnego) return end_spnego(*raw);
      return offer_layer();  // RFC 4752 §3.1: the client's answer carries nothing
    case Phase::awaiting_layer: return choose_layer(*raw);
    case Phase::finished: break;
  }
  return fail("the exchange is already over");
}

// The key alone does not tell one SPN of an account from another (see
// kerberos_ticket_name.hpp): the ticket must name this service.
std::string GssapiExchange::ticket_refusal(std::string_view kerberos_token) const {
  auto service = ticket_service_principal(kerberos_token);
  if (!service) return service.error().message;
  if (!iequals(*service, acceptor_->service_principal()))
    return "the ticket is for " + *service + ", not for " + acceptor_->service_principal();
  return "";
}

std::string GssapiExchange::kerberos_refusal(const std::string& token) const {
  if (context_->context != GSS_C_NO_CONTEXT) return "";  // the ticket came in the first token
  return ticket_refusal(token);
}

// Every client token must be SPNEGO (the mechglue would hand a bare Kerberos token
// straight to Kerberos), and the one Kerberos token in it, wherever it comes, must
// carry a ticket for this service. A second one is refused: the first was checked.
std::string GssapiExchange::spnego_refusal(const std::string& token) {
  auto parsed = parse_spnego_client_token(token);
  if (!parsed) return parsed.error().message;
  const bool first = context_->context == GSS_C_NO_CONTEXT;
  if (first != (parsed->kind == SpnegoClientToken::Kind::init))
    return first ? "the first SPNEGO token is not a NegTokenInit" : "a NegTokenInit after the first SPNEGO token";
  if (first) {
    std::string offered;
    bool kerberos = false;
    for (auto oid : parsed->mech_types) {
      kerberos = kerberos || is_kerberos_oid(oid);
      offered += (offered.empty() ? "" : ", ") + mechanism_name(oid);
    }
    if (!kerberos) return "the client offers no Kerberos in SPNEGO (" + offered + "); only Kerberos is accepted";
  }
  if (parsed->mech_token.empty()) return "";
  if (ticket_checked_) return "a second Kerberos token in one SPNEGO exchange";
  if (parsed->mech_token.starts_with(std::string_view("NTLMSSP\0", 8)))
    return "the client sent an NTLM token in SPNEGO; only Kerberos is accepted";
  if (auto refused = ticket_refusal(parsed->mech_token); !refused.empty()) return refused;
  ticket_checked_ = true;
  return "";
}

GssapiStep GssapiExchange::accept(const std::string& token) {
  const bool spnego = mechanism_ == GssMechanism::gss_spnego;
  const std::string name(sasl_name(mechanism_));
  if (token.empty()) return fail("empty " + name + " token");
  if (auto refused = spnego ? spnego_refusal(token) : kerberos_refusal(token); !refused.empty())
    return fail(std::move(refused));
  const GssapiAcceptor::Credential& credential = spnego ? *acceptor_->spnego_ : *acceptor_->kerberos_;
  gss_OID error_mechanism = spnego ? GSS_C_NO_OID : &krb5_mechanism;
  OM_uint32 minor = 0;
  gss_buffer_desc input = view(token);
  Buffer output;
  Name source;
  gss_OID negotiated = GSS_C_NO_OID;
  OM_uint32 major = gss_accept_sec_context(&minor, &context_->context, credential.cred, &input,
                                           GSS_C_NO_CHANNEL_BINDINGS, &source.name, &negotiated, &output.buffer,
                                           nullptr, nullptr, nullptr);
  if (GSS_ERROR(major))
    return fail(name + " for " + acceptor_->service_principal() + " refused the ticket: " +
                gss_error_text(major, minor, error_mechanism));
  if (major & GSS_S_CONTINUE_NEEDED) {
    GssapiStep s;
    s.state = GssapiStep::State::challenge;
    s.challenge = base64_encode(output.text());
    return s;
  }
  // Set to Kerberos only at load; checked again because the account is taken from it.
  if (negotiated == GSS_C_NO_OID || !is_kerberos_oid(std::string_view(static_cast<const char*>(negotiated->elements),
                                                                      negotiated->length)))
    return fail(name + " completed with a mechanism other than Kerberos");
  if (spnego && !ticket_checked_) return fail("SPNEGO completed without a Kerberos ticket");
  Buffer display;
  major = gss_display_name(&minor, source.name, &display.buffer, nullptr);
  if (GSS_ERROR(major))
    return fail("cannot read the client principal: " + gss_error_text(major, minor, error_mechanism));
  principal_ = display.text();
  auto account = account_name_of_principal(principal_, acceptor_->realm());
  if (!account) return fail(account.error().message);
  account_ = std::move(*account);
  if (output.buffer.length != 0) {
    // GSSAPI: mutual authentication, the AP-REP goes first, the layer offer after
    // the client's empty answer. GSS-SPNEGO: the last NegTokenResp, then done.
    phase_ = Phase::awaiting_empty;
    GssapiStep s;
    s.state = GssapiStep::State::challenge;
    s.challenge = base64_encode(output.text());
    return s;
  }
  return spnego ? authenticated() : offer_layer();
}

GssapiStep GssapiExchange::end_spnego(const std::string& response) {
  if (!response.empty()) return fail("the client answered the last SPNEGO token with data, not an empty response");
  return authenticated();
}

GssapiStep GssapiExchange::authenticated() {
  phase_ = Phase::finished;
  GssapiStep s;
  s.state = GssapiStep::State::authenticated;
  s.principal = principal_;
  s.account = account_;
  return s;
}

GssapiStep GssapiExchange::offer_layer() {
  // No security layer, maximum buffer 0 (RFC 4752 §3.3).
  const std::string offer{static_cast<char>(no_security_layer), '\0', '\0', '\0'};
  OM_uint32 minor = 0;
  gss_buffer_desc input = view(offer);
  Buffer wrapped;
  OM_uint32 major = gss_wrap(&minor, context_->context, 0, GSS_C_QOP_DEFAULT, &input, nullptr, &wrapped.buffer);
  if (GSS_ERROR(major)) return fail("cannot wrap the security layer offer: " + gss_error_text(major, minor));
  phase_ = Phase::awaiting_layer;
  GssapiStep s;
  s.state = GssapiStep::State::challenge;
  s.challenge = base64_encode(wrapped.text());
  return s;
}

GssapiStep GssapiExchange::choose_layer(const std::string& wrapped) {
  OM_uint32 minor = 0;
  gss_buffer_desc input = view(wrapped);
  Buffer message;
  OM_uint32 major = gss_unwrap(&minor, context_->context, &input, &message.buffer, nullptr, nullptr);
  if (GSS_ERROR(major))
    return fail("cannot unwrap the client's security layer choice: " + gss_error_text(major, minor));
  std::string choice = message.text();
  if (choice.size() < 4) return fail("security layer choice shorter than 4 octets");
  if (static_cast<unsigned char>(choice[0]) != no_security_layer)
    return fail("client chose a security layer that was not offered");
  std::string authzid = choice.substr(4);
  if (authzid.size() > max_authzid) return fail("authorization identity too long");
  if (!authzid_is_user(authzid, principal_, account_))
    return fail(principal_ + " asked to act as " + authzid + ": refused");
  return authenticated();
}

Result<std::string> account_name_of_principal(std::string_view principal, std::string_view realm) {
  auto at = principal.rfind('@');
  if (at == std::string_view::npos) return make_error(ErrorCode::invalid_argument, "principal " + std::string(principal) + " has no realm");
  std::string_view name = principal.substr(0, at);
  std::string_view principal_realm = principal.substr(at + 1);
  if (realm.empty() || !iequals(principal_realm, realm))
    return make_error(ErrorCode::invalid_argument, "principal " + std::string(principal) + " is not of realm " + std::string(realm));
  if (name.find('/') != std::string_view::npos)
    return make_error(ErrorCode::invalid_argument, "principal " + std::string(principal) + " is not a user (more than one component)");
  if (!valid_account_name(name))
    return make_error(ErrorCode::invalid_argument, "principal " + std::string(principal) + " has no valid account name");
  return std::string(name);
}

bool authzid_is_user(std::string_view authzid, std::string_view principal, std::string_view account) {
  if (authzid.empty() || authzid == principal) return true;
  std::string_view name = authzid.substr(0, authzid.find('@'));
  return iequals(name, account);
}

}  // namespace dirmail::auth
