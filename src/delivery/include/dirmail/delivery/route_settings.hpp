#pragma once
// Routing and retry schedule from the settings table: delivery.smtp_gateway,
// gateway_table_file / gateway_table, all_to_gateway, retry_interval, retry_backoff,
// retry_max_interval, retry_count_refused, retry_period_line_fault and
// retry_period_unreachable.
#include <memory>
#include <string>
#include <vector>

#include "dirmail/base/result.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/delivery/gateway_table.hpp"
#include "dirmail/delivery/retry_policy.hpp"
#include "dirmail/delivery/route_policy.hpp"

namespace dirmail::delivery {

// Problems, each naming its setting ("delivery.smtp_gateway: ..."; a table's errors as
// "FILE:LINE: ..."); empty when fine. Reads delivery.gateway_table_file.
std::vector<std::string> check_route_settings(const config::Settings& s);

// delivery.gateway_table_file or delivery.gateway_table, parsed; the empty table when
// neither is set. Log its warnings() at load.
Result<std::shared_ptr<const GatewayTable>> gateway_table(const config::Settings& s);

// The route policy the queue runner holds. invalid_argument naming the setting.
Result<RoutePolicy> make_route_policy(const config::Settings& s);

// The retry schedule. invalid_argument naming the setting.
Result<RetryPolicy> make_retry_policy(const config::Settings& s);

}  // namespace dirmail::delivery
