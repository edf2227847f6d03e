#include "dirmail/directory/ldap_connection.hpp"

#include "dirmail/base/strings.hpp"
#include "ldap_result_codes.hpp"
#include "ldap_session.hpp"

namespace dirmail::directory {
namespace {

// What can be refused before any network I/O.
Status check_options(const LdapConnectionOptions& options) {
  auto invalid = [&](std::string_view why) {
    return make_error(ErrorCode::invalid_argument,
                      (options.uri.empty() ? std::string("LDAP connection") : options.uri) + ": " +
                          std::string(why));
  };
  if (options.uri.empty()) return invalid("no URI");
  if (options.start_tls && istarts_with(options.uri, "ldaps://"))
    return invalid("StartTLS asked on an ldaps:// URI, which is TLS already");
  if (options.connect_timeout.count() <= 0 || options.operation_timeout.count() <= 0)
    return invalid("timeouts must be positive");
  if (options.bind == LdapBindMethod::simple) {
    if (options.bind_dn.empty()) return invalid("simple bind without a bind DN");
    // An empty password makes an "unauthenticated" bind, which servers accept as
    // anonymous: never send one as a service bind.
    if (options.bind_password.empty())
      return invalid("simple bind as " + options.bind_dn + " with an empty password");
  }
  if (options.bind == LdapBindMethod::gssapi && options.keytab.empty())
    return invalid("GSSAPI bind without a keytab");
  if (options.sasl_min_ssf < 0) return invalid("negative SASL minimum security strength");
  return ok_status();
}

}  // namespace

struct LdapConnection::Handle {
  std::unique_ptr<LdapSession> session;
};

LdapConnection::LdapConnection(std::unique_ptr<Handle> handle, LdapConnectionOptions options)
    : handle_(std::move(handle)), options_(std::move(options)) {}

LdapConnection::~LdapConnection() = default;

Result<std::unique_ptr<LdapConnection>> LdapConnection::open(const LdapConnectionOptions& options) {
  DIRMAIL_TRY(check_options(options));
  auto session = LdapSession::connect(options);
  if (!session) return std::move(session).error();
  DIRMAIL_TRY((*session)->bind());
  auto handle = std::make_unique<Handle>();
  handle->session = std::move(*session);
  return std::unique_ptr<LdapConnection>(new LdapConnection(std::move(handle), options));
}

Result<std::vector<LdapEntry>> LdapConnection::search(const LdapSearch& request) {
  return handle_->session->search(request);
}

LdapWriteResult LdapConnection::add_entry(std::string_view dn, const std::vector<LdapAttribute>& attributes) {
  return handle_->session->add(dn, attributes);
}

LdapWriteResult LdapConnection::modify_entry(std::string_view dn,
                                             const std::vector<LdapModification>& modifications) {
  return handle_->session->modify(dn, modifications);
}

LdapWriteResult LdapConnection::delete_entry(std::string_view dn) { return handle_->session->remove(dn); }

Result<LdapEntry> LdapConnection::root_dse(const std::vector<std::string>& attributes) {
  LdapSearch request;
  request.base = "";
  request.scope = LdapScope::base;
  request.filter = "(objectClass=*)";
  request.attributes = attributes;
  request.page_size = 0;
  request.max_entries = 1;
  auto entries = search(request);
  if (!entries) return std::move(entries).error();
  if (entries->empty()) return make_error(ErrorCode::not_found, options_.uri + ": no root DSE");
  return std::move(entries->front());
}

Result<UserBindResult> LdapConnection::check_password(std::string_view bind_name,
                                                      std::string_view password) const {
  UserBindResult refused;
  refused.accepted = false;
  refused.refusal = BindRefusal::bad_credentials;
  if (password.empty()) {
    refused.diagnostic = "empty password: refused without asking the server";
    return refused;
  }
  if (bind_name.empty()) {
    refused.diagnostic = "empty name: refused without asking the server";
    return refused;
  }
  // A connection of its own: a user's bind must not change who the service
  // connection is bound as. The same server and TLS settings; never retried, since
  // every failed attempt counts towards the account's lockout.
  LdapConnectionOptions user_options = options_;
  user_options.bind = LdapBindMethod::simple;
  user_options.bind_dn = std::string(bind_name);
  user_options.bind_password = std::string(password);
  // The service connection may be protected by GSSAPI sealing alone; a password must
  // not cross the network in the clear, so the user's bind then goes over StartTLS.
  if (options_.bind == LdapBindMethod::gssapi && user_options.uri.rfind("ldap://", 0) == 0)
    user_options.start_tls = true;
  user_options.keytab.clear();
  user_options.principal.clear();
  auto session = LdapSession::connect(user_options);
  if (!session) return std::move(session).error();
  auto outcome = (*session)->simple_bind(bind_name, password);
  if (!outcome) return std::move(outcome).error();

  UserBindResult result;
  result.diagnostic = printable_diagnostic(outcome->diagnostic);
  if (outcome->result == LDAP_SUCCESS) {
    result.accepted = true;
    return result;
  }
  if (outcome->result == LDAP_INVALID_CREDENTIALS) {
    result.refusal = parse_bind_refusal(outcome->diagnostic);
    return result;
  }
  // Anything else (strongerAuthRequired on a cleartext connection, busy, ...) says
  // nothing about the password: the server could not be asked properly.
  return ldap_failure(outcome->result, options_.uri, "bind as " + std::string(bind_name), outcome->diagnostic);
}

}  // namespace dirmail::directory
