#pragma once
// The service principal a Kerberos ticket names, read from the client's first GSSAPI
// token (RFC 1964 §1.1 framing around a KRB_AP_REQ, RFC 4120 §5.5.1).
//
// Why: MIT's acceptor picks the key by the acceptor name but does not compare the
// ticket's server name (aliases). AD keeps every SPN of one account under one key, so
// a ticket for smtp/host would pass for imap/host; the SASL sessions compare this name
// with their own principal. The name is the ticket's clear-text sname and realm: the
// ticket itself decrypting with the service key is what proves the user.
#include <cstddef>
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

inline constexpr std::size_t max_gssapi_token = 65536;  // bytes of one decoded token

// "imap/mail.corp.example.test@CORP.EXAMPLE.TEST". invalid_argument for anything that
// is not a Kerberos 5 initial context token carrying an AP-REQ; limit_exceeded above
// max_gssapi_token.
Result<std::string> ticket_service_principal(std::string_view gss_token);

}  // namespace dirmail::auth
