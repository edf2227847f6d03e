#pragma once
// Hand-made client tokens for the tests of the Kerberos token readers: a Kerberos 5
// initial context token around an AP-REQ (RFC 1964 §1.1, RFC 4120 §5.3 and §5.5.1)
// whose encrypted parts are filler, and the SPNEGO tokens around it (RFC 4178 §4.2).
#include <cstddef>
#include <string>
#include <vector>

namespace dirmail::auth::testing {

// DER OID contents (no tag, no length).
inline const std::string krb5_oid("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02", 9);
inline const std::string ms_krb5_oid("\x2a\x86\x48\x82\xf7\x12\x01\x02\x02", 9);
inline const std::string ntlm_oid("\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a", 10);
inline const std::string spnego_oid("\x2b\x06\x01\x05\x05\x02", 6);

// One DER element with the shortest length form.
inline std::string der(unsigned char tag, const std::string& contents) {
  std::string out(1, static_cast<char>(tag));
  std::size_t n = contents.size();
  if (n < 0x80) {
    out += static_cast<char>(n);
  } else if (n < 0x100) {
    out += '\x81';
    out += static_cast<char>(n);
  } else {
    out += '\x82';
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  }
  return out + contents;
}

// A Kerberos 5 initial context token around an AP-REQ whose ticket names `components`
// in `realm`.
inline std::string initial_token(const std::vector<std::string>& components, const std::string& realm,
                                 std::size_t filler = 40) {
  std::string names;
  for (const auto& c : components) names += der(0x1b, c);
  std::string sname = der(0x30, der(0xa0, der(0x02, "\x02")) + der(0xa1, der(0x30, names)));
  std::string enc_part = der(0x30, der(0xa0, der(0x02, "\x12")) + der(0xa2, der(0x04, std::string(filler, 'x'))));
  std::string ticket = der(0x61, der(0x30, der(0xa0, der(0x02, "\x05")) + der(0xa1, der(0x1b, realm)) +
                                               der(0xa2, sname) + der(0xa3, enc_part)));
  std::string ap_req = der(0x6e, der(0x30, der(0xa0, der(0x02, "\x05")) + der(0xa1, der(0x02, "\x0e")) +
                                               der(0xa2, der(0x03, std::string("\x00\x20\x00\x00\x00", 5))) +
                                               der(0xa3, ticket) + der(0xa4, enc_part)));
  return der(0x60, der(0x06, krb5_oid) + std::string("\x01\x00", 2) + ap_req);
}

// The NegTokenInit fields (the SEQUENCE's contents): mechTypes, then the optimistic
// mechToken when not empty.
inline std::string neg_token_init_fields(const std::vector<std::string>& mechs, const std::string& mech_token) {
  std::string list;
  for (const auto& m : mechs) list += der(0x06, m);
  std::string fields = der(0xa0, der(0x30, list));
  if (!mech_token.empty()) fields += der(0xa2, der(0x04, mech_token));
  return fields;
}

// The client's first SPNEGO token: NegTokenInit in the initial context token framing.
inline std::string spnego_init_from_fields(const std::string& fields) {
  return der(0x60, der(0x06, spnego_oid) + der(0xa0, der(0x30, fields)));
}

inline std::string spnego_init(const std::vector<std::string>& mechs, const std::string& mech_token) {
  return spnego_init_from_fields(neg_token_init_fields(mechs, mech_token));
}

// A later client token: NegTokenResp with a responseToken and a mechListMIC when not empty.
inline std::string spnego_response(const std::string& response_token, const std::string& mic = "") {
  std::string fields;
  if (!response_token.empty()) fields += der(0xa2, der(0x04, response_token));
  if (!mic.empty()) fields += der(0xa3, der(0x04, mic));
  return der(0xa1, der(0x30, fields));
}

}  // namespace dirmail::auth::testing
