#pragma once
// Where mail for a recipient domain goes (the original's SMTP gateway settings):
//
//   1. a local domain is delivered to the local store, unless "all mail to the gateway"
//      (delivery.all_to_gateway) is on;
//   2. the first matching entry of the gateway table (gateway_table.hpp);
//   3. the SMTP gateway (smart host, delivery.smtp_gateway) for every other domain;
//   4. otherwise the domain's MX hosts (mx_resolver.hpp).
//
// The original leaves open how the table and the single gateway combine; the table is
// the more specific setting, so it comes first and the gateway is the fallback. With
// all_to_gateway a local domain that the table names goes to the table's gateway.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dirmail/delivery/gateway_table.hpp"

namespace dirmail::delivery {

struct RouteDecision {
  enum class Kind {
    local,    // this server's store
    mx,       // look up the MX hosts of `domain`
    gateway,  // the fixed host `gateway` (resolve its name, connect to its port)
  };
  Kind kind = Kind::mx;
  std::string domain;   // the recipient domain, lower case, no trailing dot
  GatewayHost gateway;  // Kind::gateway only
  // Why, for the delivery log: "gateway table FILE:LINE", "delivery.smtp_gateway",
  // "delivery.all_to_gateway", "local domain" or "MX".
  std::string reason;
};

class RoutePolicy {
 public:
  RoutePolicy() = default;  // everything by MX, local domains locally
  RoutePolicy(std::shared_ptr<const GatewayTable> table, std::optional<GatewayHost> smart_host, bool all_to_gateway)
      : table_(std::move(table)), smart_host_(std::move(smart_host)), all_to_gateway_(all_to_gateway) {}

  // `local`: the domain is one of this server's mail domains (the caller knows).
  RouteDecision route(std::string_view domain, bool local) const;

  const GatewayTable* table() const { return table_.get(); }
  const std::optional<GatewayHost>& smart_host() const { return smart_host_; }
  bool all_to_gateway() const { return all_to_gateway_; }

 private:
  std::shared_ptr<const GatewayTable> table_;
  std::optional<GatewayHost> smart_host_;
  bool all_to_gateway_ = false;
};

}  // namespace dirmail::delivery
