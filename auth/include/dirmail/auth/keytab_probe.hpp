#pragma once
// The local facts `dirmailctl kerberos check` judges (keytab_check.hpp): the keytab
// file and its entries (MIT krb5), forward and reverse DNS of the service host, and
// whether GSSAPI can take acceptor credentials for a principal from the keytab.
// Blocking; for the command line.
#include <string>
#include <vector>

#include "dirmail/auth/keytab_check.hpp"
#include "dirmail/base/result.hpp"

namespace dirmail::auth {

struct KeytabContents {
  KeytabFileFacts file;
  std::vector<KeytabEntry> entries;  // empty when the file could not be read
};
// stat(2) and access(2) on the file, then every entry through krb5_kt_*.
KeytabContents read_keytab(const std::string& path);

// getaddrinfo for the host, then getnameinfo (NI_NAMEREQD) for each address.
DnsFacts resolve_forward_and_reverse(const std::string& host);

// gss_acquire_cred_from with the keytab as the credential store, for accepting
// contexts as `principal` (spn@REALM): the keytab holds a usable key for it.
Status acquire_acceptor_credentials(const std::string& keytab, const std::string& principal);

// The real test: a TGT for `user` (user@realm unless it names a realm) with the
// password, a service ticket for `service_principal` from the KDC, and that ticket
// accepted with the keytab (krb5_rd_req): the keytab's key is the one AD uses now.
// Uses a memory credential cache only.
struct TicketRoundTrip {
  enum class Step { done, user_login, service_ticket, accept } failed_at = Step::done;
  std::string message;  // krb5's message for the failed step
  bool ok() const { return failed_at == Step::done; }
};
TicketRoundTrip service_ticket_round_trip(const std::string& user, const std::string& password,
                                          const std::string& realm, const std::string& service_principal,
                                          const std::string& keytab);

}  // namespace dirmail::auth
