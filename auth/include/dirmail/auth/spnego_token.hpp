#pragma once
// A client's SPNEGO token (RFC 4178 §4.2), read far enough to find the mechanism token
// inside it: the first one is a NegTokenInit in the initial context token framing
// (RFC 2743 §3.1, OID 1.3.6.1.5.5.2), the later ones are bare NegTokenResp.
//
// Why: SASL GSS-SPNEGO hands the inner Kerberos token to MIT's acceptor, whose key
// alone cannot tell one SPN of an AD account from another; the ticket's service name
// must be checked first, as for GSSAPI (kerberos_ticket_name.hpp). The reader is
// strict (each field at most once, in order, nothing unknown, nothing after the token)
// so that a token it accepts has one reading only: the inner token it returns is the
// one SPNEGO passes on.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

inline constexpr std::size_t max_spnego_mech_types = 16;  // clients offer 2 to 5
inline constexpr std::size_t max_spnego_oid = 32;         // octets of one OID's contents

struct SpnegoClientToken {
  enum class Kind { init, response };
  Kind kind = Kind::init;
  // init: the OIDs the client offers (DER contents, without tag and length), its
  // preferred one first. Empty for a response.
  std::vector<std::string_view> mech_types;
  // The mechanism token (init: the optimistic mechToken; response: responseToken);
  // empty when the token carries none. Views into the input.
  std::string_view mech_token;
};

// invalid_argument for anything else (a bare Kerberos token, truncated or trailing
// data, fields out of order or twice, an empty inner token); limit_exceeded above
// max_gssapi_token octets or max_spnego_mech_types mechanisms.
Result<SpnegoClientToken> parse_spnego_client_token(std::string_view token);

// 1.2.840.113554.1.2.2, or 1.2.840.48018.1.2.2 that Windows offers first.
bool is_kerberos_oid(std::string_view oid);

// For the log: "Kerberos 5", "NTLM", ... or the dotted OID ("1.3.6.1.5.2.5"); "" for
// contents that are not a valid OID.
std::string mechanism_name(std::string_view oid);

// The dotted form of an OID's DER contents; "" when they are not a valid OID (empty,
// a sub-identifier with a leading 0x80 or unfinished, longer than max_spnego_oid, or
// an arc that does not fit in 64 bits).
std::string oid_text(std::string_view oid);

}  // namespace dirmail::auth
