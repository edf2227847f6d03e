#include "dirmail/auth/kerberos_ticket_name.hpp"

#include <cstdint>

#include "der_element.hpp"

namespace dirmail::auth {
namespace {

using der::Element;
using der::find_element;
using der::only_element;
using der::read_element;

// The Kerberos 5 mechanism OID 1.2.840.113554.1.2.2, DER encoded.
constexpr std::string_view krb5_oid = "\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";
constexpr std::string_view ap_req_token_id("\x01\x00", 2);  // sized: it holds a NUL
constexpr std::size_t max_name_components = 10;

bool printable(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '/' || c == '@') return false;
  }
  return true;
}

Error malformed(std::string_view what) {
  return Error{ErrorCode::invalid_argument, "not a Kerberos AP-REQ token: " + std::string(what)};
}

}  // namespace

Result<std::string> ticket_service_principal(std::string_view token) {
  if (token.size() > max_gssapi_token) return make_error(ErrorCode::limit_exceeded, "GSSAPI token too long");
  std::string_view framed;
  if (!only_element(token, 0x60, framed)) return malformed("no initial context token framing");
  if (framed.substr(0, krb5_oid.size()) != krb5_oid) return malformed("not the Kerberos 5 mechanism");
  framed.remove_prefix(krb5_oid.size());
  if (framed.substr(0, ap_req_token_id.size()) != ap_req_token_id) return malformed("not an AP-REQ");
  framed.remove_prefix(ap_req_token_id.size());

  std::string_view ap_req, fields, ticket_field, ticket, ticket_fields;
  if (!only_element(framed, 0x6e, ap_req) || !only_element(ap_req, 0x30, fields)) return malformed("AP-REQ");
  if (!find_element(fields, 0xa3, ticket_field) || !only_element(ticket_field, 0x61, ticket) ||
      !only_element(ticket, 0x30, ticket_fields))
    return malformed("ticket");
  std::string_view realm_field, realm, sname_field, sname, name_field, names;
  if (!find_element(ticket_fields, 0xa1, realm_field) || !only_element(realm_field, 0x1b, realm) || !printable(realm))
    return malformed("ticket realm");
  if (!find_element(ticket_fields, 0xa2, sname_field) || !only_element(sname_field, 0x30, sname) ||
      !find_element(sname, 0xa1, name_field) || !only_element(name_field, 0x30, names))
    return malformed("ticket server name");
  std::string principal;
  std::size_t components = 0;
  Element component;
  while (!names.empty()) {
    if (!read_element(names, component) || component.tag != 0x1b || !printable(component.contents) ||
        ++components > max_name_components)
      return malformed("ticket server name component");
    if (!principal.empty()) principal += '/';
    principal.append(component.contents);
  }
  if (components == 0) return malformed("empty ticket server name");
  principal += '@';
  principal.append(realm);
  return principal;
}

}  // namespace dirmail::auth
