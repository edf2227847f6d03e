// Gathers the local facts of the keytab doctor; see keytab_probe.hpp.
#include "dirmail/auth/keytab_probe.hpp"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace dirmail::auth {
namespace {

std::string krb5_message(krb5_context context, krb5_error_code rc) {
  const char* m = krb5_get_error_message(context, rc);
  std::string out = m ? m : "krb5 error " + std::to_string(rc);
  krb5_free_error_message(context, m);
  return out;
}

// Every entry of the keytab; an error message when it cannot be walked.
std::string read_entries(const std::string& path, std::vector<KeytabEntry>& out) {
  krb5_context context = nullptr;
  if (krb5_error_code rc = krb5_init_context(&context); rc != 0)
    return "cannot initialize Kerberos (KRB5_CONFIG?), error " + std::to_string(rc);
  std::string error;
  krb5_keytab keytab = nullptr;
  std::string name = "FILE:" + path;
  krb5_kt_cursor cursor;
  krb5_error_code rc = krb5_kt_resolve(context, name.c_str(), &keytab);
  if (rc == 0) rc = krb5_kt_start_seq_get(context, keytab, &cursor);
  if (rc != 0) {
    error = krb5_message(context, rc);
  } else {
    krb5_keytab_entry entry;
    while ((rc = krb5_kt_next_entry(context, keytab, &entry, &cursor)) == 0) {
      char* principal = nullptr;
      if (krb5_unparse_name(context, entry.principal, &principal) == 0) {
        out.push_back({principal, static_cast<std::uint32_t>(entry.vno), static_cast<std::int32_t>(entry.key.enctype)});
        krb5_free_unparsed_name(context, principal);
      }
      krb5_free_keytab_entry_contents(context, &entry);
    }
    if (rc != KRB5_KT_END) error = krb5_message(context, rc);
    krb5_kt_end_seq_get(context, keytab, &cursor);
  }
  if (keytab) krb5_kt_close(context, keytab);
  krb5_free_context(context);
  return error;
}

std::string gss_message(OM_uint32 major, OM_uint32 minor) {
  std::string out;
  for (auto [status, type] : {std::pair{major, GSS_C_GSS_CODE}, std::pair{minor, GSS_C_MECH_CODE}}) {
    if (type == GSS_C_MECH_CODE && status == 0) continue;
    OM_uint32 context = 0, ignored = 0;
    do {
      gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
      gss_display_status(&ignored, status, type, GSS_C_NO_OID, &context, &text);
      if (text.length) out += (out.empty() ? "" : ": ") + std::string(static_cast<char*>(text.value), text.length);
      gss_release_buffer(&ignored, &text);
    } while (context != 0);
  }
  return out;
}

}  // namespace

KeytabContents read_keytab(const std::string& path) {
  KeytabContents c;
  c.file.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    c.file.exists = errno != ENOENT;
    c.file.error = std::strerror(errno);
    return c;
  }
  c.file.exists = true;
  c.file.mode = st.st_mode & 07777u;
  if (::access(path.c_str(), R_OK) != 0) {
    c.file.error = std::strerror(errno);
    return c;
  }
  c.file.error = read_entries(path, c.entries);
  c.file.readable = c.file.error.empty();
  c.file.entries = c.entries.size();
  return c;
}

DnsFacts resolve_forward_and_reverse(const std::string& host) {
  DnsFacts f;
  f.host = host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    f.forward_error = ::gai_strerror(rc);
    return f;
  }
  std::set<std::string> seen;
  for (addrinfo* a = found; a; a = a->ai_next) {
    char address[NI_MAXHOST], name[NI_MAXHOST];
    if (::getnameinfo(a->ai_addr, a->ai_addrlen, address, sizeof address, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    if (!seen.insert(address).second) continue;
    if (::getnameinfo(a->ai_addr, a->ai_addrlen, name, sizeof name, nullptr, 0, NI_NAMEREQD) == 0)
      f.addresses.emplace_back(address, std::string(name));
    else
      f.addresses.emplace_back(address, std::nullopt);
  }
  ::freeaddrinfo(found);
  return f;
}

Status acquire_acceptor_credentials(const std::string& keytab, const std::string& principal) {
  OM_uint32 minor = 0;
  gss_buffer_desc name_buffer{principal.size(), const_cast<char*>(principal.data())};
  gss_name_t name = GSS_C_NO_NAME;
  OM_uint32 major = gss_import_name(&minor, &name_buffer, GSS_KRB5_NT_PRINCIPAL_NAME, &name);
  if (GSS_ERROR(major))
    return make_error(ErrorCode::invalid_argument, principal + ": " + gss_message(major, minor));
  std::string store_value = "FILE:" + keytab;
  gss_key_value_element_desc element{"keytab", store_value.c_str()};
  gss_key_value_set_desc store{1, &element};
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_ACCEPT, &store, &cred,
                                nullptr, nullptr);
  Status outcome = ok_status();
  if (GSS_ERROR(major)) outcome = make_error(ErrorCode::not_found, gss_message(major, minor));
  OM_uint32 ignored = 0;
  if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&ignored, &cred);
  gss_release_name(&ignored, &name);
  return outcome;
}

TicketRoundTrip service_ticket_round_trip(const std::string& user, const std::string& password,
                                          const std::string& realm, const std::string& service_principal,
                                          const std::string& keytab) {
  using Step = TicketRoundTrip::Step;
  // Everything the exchange allocates, released in reverse on every path.
  struct State {
    krb5_context ctx = nullptr;
    krb5_principal client = nullptr, server = nullptr;
    krb5_ccache cache = nullptr;
    krb5_creds tgt{}, request{};
    bool have_tgt = false;
    krb5_creds* ticket = nullptr;
    krb5_auth_context client_auth = nullptr, server_auth = nullptr;
    krb5_data ap_req{};
    krb5_keytab kt = nullptr;
    ~State() {
      if (!ctx) return;
      if (kt) krb5_kt_close(ctx, kt);
      krb5_free_data_contents(ctx, &ap_req);
      if (server_auth) krb5_auth_con_free(ctx, server_auth);
      if (client_auth) krb5_auth_con_free(ctx, client_auth);
      if (ticket) krb5_free_creds(ctx, ticket);
      if (have_tgt) krb5_free_cred_contents(ctx, &tgt);
      if (cache) krb5_cc_destroy(ctx, cache);
      if (server) krb5_free_principal(ctx, server);
      if (client) krb5_free_principal(ctx, client);
      krb5_free_context(ctx);
    }
  } s;
  if (krb5_error_code rc = krb5_init_context(&s.ctx); rc != 0) {
    s.ctx = nullptr;
    return {Step::user_login, "cannot initialize Kerberos, error " + std::to_string(rc)};
  }
  auto fail = [&](Step step, const std::string& what, krb5_error_code rc) {
    return TicketRoundTrip{step, what + ": " + krb5_message(s.ctx, rc)};
  };
  std::string client_name = user.find('@') == std::string::npos ? user + "@" + realm : user;
  if (auto rc = krb5_parse_name(s.ctx, client_name.c_str(), &s.client)) return fail(Step::user_login, client_name, rc);
  if (auto rc = krb5_parse_name(s.ctx, service_principal.c_str(), &s.server))
    return fail(Step::service_ticket, service_principal, rc);
  if (auto rc = krb5_get_init_creds_password(s.ctx, &s.tgt, s.client, password.c_str(), nullptr, nullptr, 0, nullptr,
                                             nullptr))
    return fail(Step::user_login, "ticket-granting ticket for " + client_name, rc);
  s.have_tgt = true;
  if (auto rc = krb5_cc_new_unique(s.ctx, "MEMORY", nullptr, &s.cache)) return fail(Step::user_login, "memory ccache", rc);
  if (auto rc = krb5_cc_initialize(s.ctx, s.cache, s.client)) return fail(Step::user_login, "memory ccache", rc);
  if (auto rc = krb5_cc_store_cred(s.ctx, s.cache, &s.tgt)) return fail(Step::user_login, "memory ccache", rc);
  s.request.client = s.client;
  s.request.server = s.server;
  if (auto rc = krb5_get_credentials(s.ctx, 0, s.cache, &s.request, &s.ticket))
    return fail(Step::service_ticket, "service ticket for " + service_principal, rc);
  if (auto rc = krb5_mk_req_extended(s.ctx, &s.client_auth, 0, nullptr, s.ticket, &s.ap_req))
    return fail(Step::service_ticket, "AP-REQ for " + service_principal, rc);
  std::string kt_name = "FILE:" + keytab;
  if (auto rc = krb5_kt_resolve(s.ctx, kt_name.c_str(), &s.kt)) return fail(Step::accept, keytab, rc);
  if (auto rc = krb5_rd_req(s.ctx, &s.server_auth, &s.ap_req, s.server, s.kt, nullptr, nullptr))
    return fail(Step::accept, "the keytab cannot accept the KDC's ticket for " + service_principal, rc);
  return {};
}

}  // namespace dirmail::auth
