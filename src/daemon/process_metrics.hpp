#pragma once
// The standard process_* metrics every Prometheus exporter offers (CPU time, memory,
// open files, start time), read from /proc/self when the metrics are rendered.
#include "dirmail/base/metrics.hpp"

namespace dirmail::daemon {

void collect_process_metrics(metrics::Samples& samples);

}  // namespace dirmail::daemon
