#include "dirmail/delivery/route_settings.hpp"

#include "dirmail/config/table_source.hpp"

namespace dirmail::delivery {
namespace {

Result<std::optional<GatewayHost>> smart_host(const config::Settings& s) {
  if (s.delivery_smtp_gateway.empty()) return std::optional<GatewayHost>();
  auto host = parse_gateway_host(s.delivery_smtp_gateway);
  if (!host) return make_error(host.error().code, "delivery.smtp_gateway: " + host.error().message);
  return std::optional<GatewayHost>(std::move(*host));
}

}  // namespace

Result<std::shared_ptr<const GatewayTable>> gateway_table(const config::Settings& s) {
  auto source = config::table_source("delivery.gateway_table_file", s.delivery_gateway_table_file,
                                     "delivery.gateway_table", s.delivery_gateway_table, kMaxGatewayTableBytes + 1);
  if (!source) return std::move(source).error();
  if (!*source) return std::make_shared<const GatewayTable>();
  auto table = (*source)->from_file ? parse_gateway_table((*source)->text, (*source)->name)
                                    : parse_gateway_table_list(*(*source)->lines, (*source)->name);
  if (!table) return std::move(table).error();
  return std::make_shared<const GatewayTable>(std::move(*table));
}

Result<RoutePolicy> make_route_policy(const config::Settings& s) {
  auto host = smart_host(s);
  if (!host) return std::move(host).error();
  if (s.delivery_all_to_gateway && !*host)
    return make_error(ErrorCode::invalid_argument,
                      "delivery.all_to_gateway: needs the SMTP gateway (delivery.smtp_gateway) to send the mail to");
  auto table = gateway_table(s);
  if (!table) return std::move(table).error();
  return RoutePolicy(std::move(*table), std::move(*host), s.delivery_all_to_gateway);
}

Result<RetryPolicy> make_retry_policy(const config::Settings& s) {
  RetryPolicy p;
  auto backoff = parse_retry_backoff(s.delivery_retry_backoff);
  if (!backoff) return make_error(backoff.error().code, "delivery.retry_backoff: " + backoff.error().message);
  p.backoff = *backoff;
  p.interval = std::chrono::seconds(s.delivery_retry_interval);
  p.max_interval = std::chrono::seconds(s.delivery_retry_max_interval);
  if (p.backoff == RetryBackoff::exponential && p.max_interval < p.interval)
    return make_error(ErrorCode::invalid_argument,
                      "delivery.retry_max_interval: " + std::to_string(p.max_interval.count()) +
                          " s is below delivery.retry_interval (" + std::to_string(p.interval.count()) + " s)");
  p.refusal_retries = static_cast<std::uint32_t>(s.delivery_retry_count_refused);
  p.line_fault_period = std::chrono::seconds(s.delivery_retry_period_line_fault);
  p.unreachable_period = std::chrono::seconds(s.delivery_retry_period_unreachable);
  return p;
}

std::vector<std::string> check_route_settings(const config::Settings& s) {
  std::vector<std::string> problems;
  // Each setting on its own, so that one run names every problem.
  if (auto host = smart_host(s); !host)
    problems.push_back(host.error().message);
  else if (auto r = make_route_policy(s); !r)
    problems.push_back(r.error().message);
  if (auto t = gateway_table(s); !t && (problems.empty() || problems.back() != t.error().message))
    problems.push_back(t.error().message);
  if (auto r = make_retry_policy(s); !r) problems.push_back(r.error().message);
  return problems;
}

}  // namespace dirmail::delivery
