// Fuzzes the reader of a client's SPNEGO token (auth/spnego_token.hpp), which finds the
// Kerberos ticket GSS-SPNEGO checks before MIT's acceptor sees it. Properties:
//  - over the limit always limit_exceeded; otherwise a token or an error, never both;
//  - a token read has 1..max mechanisms (init) or none (response), each a valid OID,
//    and its views point into the input;
//  - one reading only: the input cut by one octet, or with one octet more, is refused
//    (the outer length must cover the token exactly);
//  - what was read, written again as plain DER, reads back the same.
#include <string>

#include "dirmail/auth/kerberos_ticket_name.hpp"
#include "dirmail/auth/spnego_token.hpp"
#include "fuzz_check.hpp"

namespace {

std::string der(unsigned char tag, const std::string& contents) {
  std::string out(1, static_cast<char>(tag));
  std::size_t n = contents.size();
  if (n < 0x80) {
    out += static_cast<char>(n);
  } else if (n < 0x100) {
    out += '\x81';
    out += static_cast<char>(n);
  } else if (n < 0x10000) {
    out += '\x82';
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += '\x83';
    out += static_cast<char>(n >> 16);
    out += static_cast<char>((n >> 8) & 0xff);
    out += static_cast<char>(n & 0xff);
  }
  return out + contents;
}

std::string encode(const dirmail::auth::SpnegoClientToken& token) {
  std::string inner = token.mech_token.empty() ? "" : der(0xa2, der(0x04, std::string(token.mech_token)));
  if (token.kind == dirmail::auth::SpnegoClientToken::Kind::response) return der(0xa1, der(0x30, inner));
  std::string list;
  for (auto oid : token.mech_types) list += der(0x06, std::string(oid));
  return der(0x60, der(0x06, "\x2b\x06\x01\x05\x05\x02") + der(0xa0, der(0x30, der(0xa0, der(0x30, list)) + inner)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view input = fuzz::as_view(data, size);
  auto token = auth::parse_spnego_client_token(input);
  if (input.size() > auth::max_gssapi_token) {
    FUZZ_CHECK(!token.ok() && token.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  if (!token.ok()) {
    FUZZ_CHECK(token.error().code == ErrorCode::invalid_argument || token.error().code == ErrorCode::limit_exceeded);
    return 0;
  }
  const bool init = token->kind == auth::SpnegoClientToken::Kind::init;
  FUZZ_CHECK(init ? !token->mech_types.empty() && token->mech_types.size() <= auth::max_spnego_mech_types
                  : token->mech_types.empty());
  for (auto oid : token->mech_types) {
    FUZZ_CHECK(fuzz::within(oid, input));
    FUZZ_CHECK(!auth::oid_text(oid).empty() && !auth::mechanism_name(oid).empty());
  }
  FUZZ_CHECK(fuzz::within(token->mech_token, input));

  const std::string whole(input);
  FUZZ_CHECK(!auth::parse_spnego_client_token(whole.substr(0, whole.size() - 1)).ok());
  FUZZ_CHECK(!auth::parse_spnego_client_token(whole + '\0').ok());

  const std::string again = encode(*token);
  auto reread = auth::parse_spnego_client_token(again);
  FUZZ_CHECK(reread.ok());
  FUZZ_CHECK(reread->kind == token->kind && reread->mech_token == token->mech_token);
  FUZZ_CHECK(reread->mech_types.size() == token->mech_types.size());
  for (std::size_t i = 0; i < token->mech_types.size(); ++i) FUZZ_CHECK(reread->mech_types[i] == token->mech_types[i]);

  // What the GSS-SPNEGO exchange does next with the inner token.
  if (!token->mech_token.empty()) (void)auth::ticket_service_principal(token->mech_token);
  return 0;
}
