#include "dirmail/delivery/route_policy.hpp"

#include "dirmail/base/strings.hpp"

namespace dirmail::delivery {

RouteDecision RoutePolicy::route(std::string_view domain, bool local) const {
  RouteDecision d;
  if (domain.ends_with('.')) domain.remove_suffix(1);
  d.domain = to_lower(domain);
  // Without a smart host all_to_gateway is refused by check_route_settings; should one
  // get here anyway, local mail stays local rather than leave by the table.
  if (local && !(all_to_gateway_ && smart_host_)) {
    d.kind = RouteDecision::Kind::local;
    d.reason = "local domain";
    return d;
  }
  if (table_) {
    if (const GatewayEntry* entry = table_->find(d.domain)) {
      d.kind = RouteDecision::Kind::gateway;
      d.gateway = entry->gateway;
      d.reason = "gateway table " + entry->origin;
      return d;
    }
  }
  if (smart_host_) {
    d.kind = RouteDecision::Kind::gateway;
    d.gateway = *smart_host_;
    d.reason = local ? "delivery.all_to_gateway" : "delivery.smtp_gateway";
    return d;
  }
  d.kind = RouteDecision::Kind::mx;
  d.reason = "MX";
  return d;
}

}  // namespace dirmail::delivery
