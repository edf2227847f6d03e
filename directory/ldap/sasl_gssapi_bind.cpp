// The SASL/GSSAPI bind of LdapSession: a TGT from the keytab into the connection's
// own MEMORY cache, GSSAPI pointed at it for this thread, then the SASL exchange one
// round trip at a time so that each answer is awaited with the operation timeout.
#include <sasl/sasl.h>

#include "gssapi_credentials.hpp"
#include "ldap_result_codes.hpp"
#include "ldap_session.hpp"

namespace dirmail::directory {
namespace {

// GSSAPI needs no answers from us (the authorisation id defaults to the principal);
// every prompt gets an empty one.
int answer_nothing(LDAP*, unsigned, void*, void* prompts) {
  for (auto* prompt = static_cast<sasl_interact_t*>(prompts); prompt->id != SASL_CB_LIST_END; ++prompt) {
    prompt->result = "";
    prompt->len = 0;
  }
  return LDAP_SUCCESS;
}

}  // namespace

Status LdapSession::gssapi_bind() {
  auto credentials = KeytabCredentials::acquire(options_.keytab, options_.principal, options_.uri);
  if (!credentials) return std::move(credentials).error();
  auto cache_scope = ThreadGssCredentialCache::use((*credentials)->cache_name());
  if (!cache_scope) return std::move(cache_scope).error();

  const std::string what = "GSSAPI bind as " + (*credentials)->principal();
  LDAPMessage* reply = nullptr;
  const char* mechanism = nullptr;
  int msgid = 0;
  int rc = LDAP_SASL_BIND_IN_PROGRESS;
  while (rc == LDAP_SASL_BIND_IN_PROGRESS) {
    rc = ldap_sasl_interactive_bind(ld_, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET,
                                    answer_nothing, nullptr, reply, &mechanism, &msgid);
    ldap_msgfree(reply);
    reply = nullptr;
    if (rc != LDAP_SASL_BIND_IN_PROGRESS) break;
    auto next = wait(msgid, operation_deadline(), what);
    if (!next) return std::move(next).error();
    reply = next->release();
  }
  if (rc == LDAP_LOCAL_ERROR) {
    // SASL and GSSAPI failures come back as a local error: a KDC that does not
    // answer is temporary; anything else (no ldap/ service ticket for the host in
    // the URI, clock skew, mechanism missing) is configuration.
    std::string text = diagnostic();
    bool kdc_down = text.find("Cannot contact any KDC") != std::string::npos ||
                    text.find("Cannot find KDC") != std::string::npos;
    return ldap_failure(kdc_down ? ErrorCode::temporary_failure : ErrorCode::permission_denied, rc, options_.uri,
                        what, text);
  }
  if (rc != LDAP_SUCCESS) return failure(rc, what, diagnostic());

  // SSF_MIN made SASL refuse anything weaker; checked again so that a library that
  // ignored the option cannot leave the session unprotected.
  ber_len_t ssf = 0;
  ldap_get_option(ld_, LDAP_OPT_X_SASL_SSF, &ssf);
  if (static_cast<long long>(ssf) < options_.sasl_min_ssf)
    return make_error(ErrorCode::permission_denied,
                      options_.uri + ": " + what + " refused: security strength " + std::to_string(ssf) +
                          " is below the minimum " + std::to_string(options_.sasl_min_ssf));
  return ok_status();
}

}  // namespace dirmail::directory
