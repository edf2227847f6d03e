#include "dirmail/auth/spnego_token.hpp"

#include <cstdint>

#include "der_element.hpp"
#include "dirmail/auth/kerberos_ticket_name.hpp"

namespace dirmail::auth {
namespace {

using der::Element;
using der::only_element;
using der::read_element;

// OID contents (no tag, no length).
constexpr std::string_view spnego_oid = "\x2b\x06\x01\x05\x05\x02";          // 1.3.6.1.5.5.2
constexpr std::string_view krb5_oid = "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02";  // 1.2.840.113554.1.2.2
constexpr std::string_view ms_krb5_oid = "\x2a\x86\x48\x82\xf7\x12\x01\x02\x02";  // 1.2.840.48018.1.2.2
constexpr std::string_view ntlm_oid = "\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a";  // 1.3.6.1.4.1.311.2.2.10
constexpr std::string_view iakerb_oid = "\x2b\x06\x01\x05\x02\x05";          // 1.3.6.1.5.2.5

// Context tags of the NegTokenInit and NegTokenResp fields, [0] to [3].
constexpr unsigned char field_0 = 0xa0, field_3 = 0xa3;
constexpr unsigned char tag_oid = 0x06, tag_octets = 0x04, tag_bits = 0x03, tag_enumerated = 0x0a;
constexpr unsigned char tag_sequence = 0x30, tag_initial_context = 0x60, tag_neg_token_resp = 0xa1;
constexpr std::size_t max_req_flags = 8;  // a BIT STRING of the 7 ContextFlags

Error malformed(std::string_view what) {
  return Error{ErrorCode::invalid_argument, "not a SPNEGO token: " + std::string(what)};
}

bool valid_oid(std::string_view oid) { return !oid_text(oid).empty(); }

// The contents of the OCTET STRING that is the whole of `field`; false when empty.
bool inner_token(std::string_view field, std::string_view& token) {
  return only_element(field, tag_octets, token) && !token.empty();
}

Result<SpnegoClientToken> read_mech_types(std::string_view field, SpnegoClientToken& out) {
  std::string_view list;
  if (!only_element(field, tag_sequence, list)) return malformed("mechTypes is not a SEQUENCE");
  Element e;
  while (!list.empty()) {
    if (!read_element(list, e) || e.tag != tag_oid || !valid_oid(e.contents)) return malformed("mechTypes holds a bad OID");
    if (out.mech_types.size() == max_spnego_mech_types)
      return make_error(ErrorCode::limit_exceeded, "SPNEGO token offers more than " +
                                                       std::to_string(max_spnego_mech_types) + " mechanisms");
    out.mech_types.push_back(e.contents);
  }
  if (out.mech_types.empty()) return malformed("mechTypes is empty");
  return out;
}

// NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1] OPTIONAL, mechToken [2]
// OPTIONAL, mechListMIC [3] OPTIONAL }
Result<SpnegoClientToken> read_neg_token_init(std::string_view fields) {
  SpnegoClientToken out;
  out.kind = SpnegoClientToken::Kind::init;
  int last = -1;
  Element e;
  while (!fields.empty()) {
    if (!read_element(fields, e) || e.tag < field_0 || e.tag > field_3) return malformed("unknown NegTokenInit field");
    int index = e.tag - field_0;
    if (index <= last) return malformed("NegTokenInit fields out of order or repeated");
    last = index;
    std::string_view value;
    switch (index) {
      case 0:
        if (auto r = read_mech_types(e.contents, out); !r) return std::move(r).error();
        break;
      case 1:
        if (!only_element(e.contents, tag_bits, value) || value.empty() || value.size() > max_req_flags)
          return malformed("bad reqFlags");
        break;
      case 2:
        if (!inner_token(e.contents, out.mech_token)) return malformed("bad mechToken");
        break;
      case 3:
        if (!only_element(e.contents, tag_octets, value)) return malformed("bad mechListMIC");
        break;
    }
  }
  if (out.mech_types.empty()) return malformed("NegTokenInit without mechTypes");
  return out;
}

// NegTokenResp ::= SEQUENCE { negState [0] OPTIONAL, supportedMech [1] OPTIONAL,
// responseToken [2] OPTIONAL, mechListMIC [3] OPTIONAL }
Result<SpnegoClientToken> read_neg_token_resp(std::string_view fields) {
  SpnegoClientToken out;
  out.kind = SpnegoClientToken::Kind::response;
  int last = -1;
  Element e;
  while (!fields.empty()) {
    if (!read_element(fields, e) || e.tag < field_0 || e.tag > field_3) return malformed("unknown NegTokenResp field");
    int index = e.tag - field_0;
    if (index <= last) return malformed("NegTokenResp fields out of order or repeated");
    last = index;
    std::string_view value;
    switch (index) {
      case 0:  // accept-completed (0) to request-mic (3)
        if (!only_element(e.contents, tag_enumerated, value) || value.size() != 1 ||
            static_cast<unsigned char>(value[0]) > 3)
          return malformed("bad negState");
        break;
      case 1:
        if (!only_element(e.contents, tag_oid, value) || !valid_oid(value)) return malformed("bad supportedMech");
        break;
      case 2:
        if (!inner_token(e.contents, out.mech_token)) return malformed("bad responseToken");
        break;
      case 3:
        if (!only_element(e.contents, tag_octets, value)) return malformed("bad mechListMIC");
        break;
    }
  }
  return out;
}

}  // namespace

Result<SpnegoClientToken> parse_spnego_client_token(std::string_view token) {
  if (token.size() > max_gssapi_token) return make_error(ErrorCode::limit_exceeded, "SPNEGO token too long");
  if (token.empty()) return malformed("empty");
  std::string_view body, fields;
  if (static_cast<unsigned char>(token[0]) == tag_neg_token_resp) {
    if (!only_element(token, tag_neg_token_resp, body) || !only_element(body, tag_sequence, fields))
      return malformed("bad NegTokenResp framing");
    return read_neg_token_resp(fields);
  }
  // InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE { thisMech OID, negTokenInit [0] }
  std::string_view framed, mech, neg_token_init;
  if (!only_element(token, tag_initial_context, framed)) return malformed("no initial context token framing");
  Element e;
  if (!read_element(framed, e) || e.tag != tag_oid) return malformed("no mechanism OID");
  mech = e.contents;
  if (mech != spnego_oid) {
    std::string name = mechanism_name(mech);
    return malformed(name.empty() ? "bad mechanism OID" : "the mechanism is " + name + ", not SPNEGO");
  }
  if (!only_element(framed, field_0, neg_token_init) || !only_element(neg_token_init, tag_sequence, fields))
    return malformed("bad NegTokenInit framing");
  return read_neg_token_init(fields);
}

bool is_kerberos_oid(std::string_view oid) { return oid == krb5_oid || oid == ms_krb5_oid; }

std::string mechanism_name(std::string_view oid) {
  if (oid == krb5_oid) return "Kerberos 5";
  if (oid == ms_krb5_oid) return "Kerberos 5 (Microsoft's OID)";
  if (oid == ntlm_oid) return "NTLM";
  if (oid == iakerb_oid) return "IAKERB";
  if (oid == spnego_oid) return "SPNEGO";
  return oid_text(oid);
}

std::string oid_text(std::string_view oid) {
  if (oid.empty() || oid.size() > max_spnego_oid) return "";
  std::string text;
  std::uint64_t arc = 0;
  bool first = true;
  bool fresh = true;  // at the first octet of a sub-identifier
  for (char c : oid) {
    auto octet = static_cast<unsigned char>(c);
    if (fresh && octet == 0x80) return "";  // not the shortest form
    if (arc >> 57) return "";               // one more septet would overflow
    arc = (arc << 7) | (octet & 0x7f);
    fresh = !(octet & 0x80);
    if (!fresh) continue;
    if (first) {
      // The first sub-identifier holds two arcs: 40 * x + y, x in 0..2.
      std::uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      text = std::to_string(top) + "." + std::to_string(arc - 40 * top);
      first = false;
    } else {
      text += "." + std::to_string(arc);
    }
    arc = 0;
  }
  if (!fresh) return "";  // the last sub-identifier is unfinished
  return text;
}

}  // namespace dirmail::auth
