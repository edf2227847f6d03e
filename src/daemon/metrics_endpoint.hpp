#pragma once
// The Prometheus side of the metrics (metrics.listen): GET or HEAD /metrics answers the
// process's registry in the text format 0.0.4; other paths, methods and malformed or
// oversized heads get their HTTP error. One request per connection, with a deadline, so
// that a stuck scraper or a port scan holds nothing.
#include "dirmail/net/listener.hpp"

namespace dirmail::daemon {

// The service name of the endpoint's listeners, kept beside the mail services' ones.
inline constexpr std::string_view kMetricsService = "metrics";

net::awaitable<void> run_metrics_session(net::Connection connection);

}  // namespace dirmail::daemon
