#pragma once
// Who this server is, to keep mail from looping back to it (RFC 5321 §5.1): an MX host
// that is this server, and every host of equal or worse preference, are not tried;
// when this server is the domain's best MX, the mail cannot leave ("loops back to
// myself", 5.4.6). A host is this server when its name is one of this server's names
// or when its address and the delivery port are one of this server's SMTP listeners
// (a wildcard listener stands for every address of this machine). Comparing the port
// too keeps a peer on another port of the same machine (a test sink, a content
// filter) a peer.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/delivery/mail_route.hpp"

namespace dirmail::delivery {

struct SelfIdentity {
  struct Listener {
    std::string address;  // an IP literal; "0.0.0.0" or "::" for every address
    std::uint16_t port = 0;
  };
  std::vector<std::string> names;  // lower case, no trailing dot
  std::vector<Listener> listeners;
  // This machine's interface addresses (for wildcard listeners); read at start.
  std::vector<std::string> local_addresses;

  bool is_self(std::string_view host_name, std::string_view address, std::uint16_t port) const;
};

// The interface addresses of this machine (getifaddrs), canonical text form.
std::vector<std::string> machine_addresses();

// Drops this server and every host of equal or worse preference from `route`.
// permission_denied ("mail for DOMAIN loops back to myself") when no host is left
// because this server is the best one.
Status remove_self_and_worse(MailRoute& route, const SelfIdentity& self, std::uint16_t port);

}  // namespace dirmail::delivery
