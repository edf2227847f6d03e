#include "dirmail/auth/gssapi_exchange.hpp"

#include <cctype>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "dirmail/auth/kerberos_ticket_name.hpp"
#include "dirmail/base/base64.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/directory/krb5_handles.hpp"

namespace dirmail::auth {
namespace {

constexpr std::size_t max_authzid = 256;
// RFC 4752 §3.3: the bit of "no security layer" in the first octet.
constexpr unsigned char no_security_layer = 0x01;

gss_OID_desc krb5_mechanism = {9, const_cast<char*>("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02")};

// The text of every status message of one kind (GSS_C_GSS_CODE or GSS_C_MECH_CODE).
void append_status(std::string& out, OM_uint32 code, int type) {
  OM_uint32 context = 0;
  do {
    OM_uint32 minor = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    OM_uint32 major = gss_display_status(&minor, code, type, &krb5_mechanism, &context, &text);
    if (GSS_ERROR(major)) break;
    if (!out.empty()) out += ": ";
    out.append(static_cast<const char*>(text.value), text.length);
    gss_release_buffer(&minor, &text);
  } while (context != 0);
}

// "Unspecified GSS failure: Wrong principal in request" and the like.
std::string gss_error_text(OM_uint32 major, OM_uint32 minor) {
  std::string text;
  append_status(text, major, GSS_C_GSS_CODE);
  if (minor != 0) append_status(text, minor, GSS_C_MECH_CODE);
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

GssapiAcceptor::GssapiAcceptor(std::unique_ptr<Credential> credential, std::string principal, std::string realm)
    : credential_(std::move(credential)), principal_(std::move(principal)), realm_(std::move(realm)) {}

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
  gss_OID_set_desc mechanisms{1, &krb5_mechanism};
  auto credential = std::make_unique<Credential>();
  major = gss_acquire_cred_from(&minor, name.name, GSS_C_INDEFINITE, &mechanisms, GSS_C_ACCEPT, &store,
                                &credential->cred, nullptr, nullptr);
  if (GSS_ERROR(major))
    return make_error(ErrorCode::invalid_argument, prefix + ": " + gss_error_text(major, minor));
  return std::shared_ptr<const GssapiAcceptor>(
      new GssapiAcceptor(std::move(credential), std::move(principal), std::move(realm)));
}

GssapiExchange::GssapiExchange(std::shared_ptr<const GssapiAcceptor> acceptor)
    : acceptor_(std::move(acceptor)), context_(std::make_unique<Context>()) {}

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
    case Phase::awaiting_empty: return offer_layer();  // RFC 4752 §3.1: the client's answer carries nothing
    case Phase::awaiting_layer: return choose_layer(*raw);
    case Phase::finished: break;
  }
  return fail("the exchange is already over");
}

GssapiStep GssapiExchange::accept(const std::string& token) {
  if (token.empty()) return fail("empty GSSAPI token");
  if (context_->context == GSS_C_NO_CONTEXT) {
    // The key alone does not tell one SPN of an account from another (see
    // kerberos_ticket_name.hpp): the ticket must name this service.
    auto service = ticket_service_principal(token);
    if (!service) return fail(service.error().message);
    if (!iequals(*service, acceptor_->service_principal()))
      return fail("the ticket is for " + *service + ", not for " + acceptor_->service_principal());
  }
  OM_uint32 minor = 0;
  gss_buffer_desc input = view(token);
  Buffer output;
  Name source;
  OM_uint32 major = gss_accept_sec_context(&minor, &context_->context, acceptor_->credential_->cred, &input,
                                           GSS_C_NO_CHANNEL_BINDINGS, &source.name, nullptr, &output.buffer,
                                           nullptr, nullptr, nullptr);
  if (GSS_ERROR(major))
    return fail("GSSAPI for " + acceptor_->service_principal() + " refused the ticket: " +
                gss_error_text(major, minor));
  if (major & GSS_S_CONTINUE_NEEDED) {
    GssapiStep s;
    s.state = GssapiStep::State::challenge;
    s.challenge = base64_encode(output.text());
    return s;
  }
  Buffer display;
  major = gss_display_name(&minor, source.name, &display.buffer, nullptr);
  if (GSS_ERROR(major)) return fail("cannot read the client principal: " + gss_error_text(major, minor));
  principal_ = display.text();
  auto account = account_name_of_principal(principal_, acceptor_->realm());
  if (!account) return fail(account.error().message);
  account_ = std::move(*account);
  if (output.buffer.length != 0) {
    // Mutual authentication: the AP-REP goes first, the layer offer after the
    // client's empty answer.
    phase_ = Phase::awaiting_empty;
    GssapiStep s;
    s.state = GssapiStep::State::challenge;
    s.challenge = base64_encode(output.text());
    return s;
  }
  return offer_layer();
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
  phase_ = Phase::finished;
  GssapiStep s;
  s.state = GssapiStep::State::authenticated;
  s.principal = principal_;
  s.account = account_;
  return s;
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
