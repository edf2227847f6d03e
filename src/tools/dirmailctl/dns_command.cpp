// dirmailctl dns mx DOMAIN: the mail hosts delivery would try for DOMAIN, as the MX
// resolver finds them through delivery.dns_servers (no cache), best first.
#include <ostream>

#include "commands.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/delivery/mx_resolver.hpp"
#include "dirmail/delivery/mx_settings.hpp"

namespace dirmail::ctl {
namespace {

int usage(std::ostream& err) {
  err << "usage: dirmailctl dns mx DOMAIN\n";
  return 2;
}

}  // namespace

int dns_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.size() != 2 || args[0] != "mx") return usage(err);
  auto dns = delivery::dns_query_options(settings);
  if (!dns) {
    err << "dirmailctl: " << dns.error().message << "\n";
    return 1;
  }
  delivery::MxResolverOptions options;
  options.addresses = *delivery::parse_address_preference(settings.delivery_address_preference);
  delivery::DnsMxResolver resolver(std::make_unique<net::CaresDnsClient>(std::move(*dns)), options);
  auto route = resolver.resolve(args[1]);
  if (!route) {
    err << "dirmailctl: " << route.error().message << " ("
        << (route.error().temporary() ? "temporary: delivery would retry" : "permanent: delivery would bounce")
        << ")\n";
    return 1;
  }
  out << "# " << route->domain << ": " << route->hosts.size() << (route->hosts.size() == 1 ? " host" : " hosts")
      << (route->implicit_mx ? " (no MX record: the domain's own addresses)" : " (MX)") << ", ttl "
      << route->ttl.count() << " s\n";
  for (const auto& host : route->hosts) {
    out << host.preference << " " << host.name;
    for (const auto& address : host.addresses) out << " " << address;
    out << "\n";
  }
  return 0;
}

}  // namespace dirmail::ctl
