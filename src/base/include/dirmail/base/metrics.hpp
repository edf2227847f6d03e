#pragma once
// The process's metrics, read by Prometheus (the daemon's metrics endpoint) and by
// `dirmailctl metrics` (its control socket), in the text exposition format 0.0.4.
//
// Events are counted where they happen, in relaxed atomics: a count costs a map lookup
// of its label values under the family's short lock and one atomic add (a value kept,
// `Value&` stays valid, costs the add alone), next to the fsync or the network round
// trip that the event itself costs. Values that are state rather than events (queue size,
// a domain controller's health, the cluster role) are read when the metrics are
// rendered, by collectors the owner registers and removes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dirmail::metrics {

enum class Kind { counter, gauge };

// One time series. A counter only grows (add); a gauge is set or moved.
class Value {
 public:
  void add(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) noexcept { value_.store(n, std::memory_order_relaxed); }
  std::int64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// A metric name with its help text, kind and label names. `scale` turns the integer
// kept into the unit exposed (1e-6: microseconds kept, seconds exposed).
class Family {
 public:
  Family(std::string name, std::string help, Kind kind, std::vector<std::string> label_names, double scale);

  // The value for these label values (one per label name, in order), made on first
  // use. The reference stays valid for the life of the process.
  Value& with(std::initializer_list<std::string_view> label_values);
  Value& value() { return with({}); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  Kind kind() const { return kind_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  double scale() const { return scale_; }
  // Label values and value of each series, in label order.
  std::vector<std::pair<std::vector<std::string>, std::int64_t>> series() const;

 private:
  std::string name_, help_;
  Kind kind_;
  std::vector<std::string> label_names_;
  double scale_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Value>> values_;
};

// What a collector reports when the metrics are rendered.
class Samples {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;
  // One sample; the first sample of a name gives its help and kind.
  void add(std::string_view name, std::string_view help, Kind kind, const Labels& labels, double value);

  struct Sample {
    std::string labels;  // rendered: {a="x",b="y"} or empty
    double value;
  };
  struct Metric {
    std::string help;
    Kind kind;
    std::vector<Sample> samples;
  };
  const std::map<std::string, Metric>& metrics() const { return metrics_; }
  std::map<std::string, Metric>& metrics() { return metrics_; }

 private:
  std::map<std::string, Metric> metrics_;
};

class Registry {
 public:
  using Collector = std::function<void(Samples&)>;

  // The family of this name, made on first call; later calls must agree on kind and
  // labels (a programming error otherwise: it throws std::logic_error).
  Family& family(std::string_view name, std::string_view help, Kind kind,
                 std::vector<std::string> label_names = {}, double scale = 1.0);

  // Registered until the returned handle is destroyed; a render in progress finishes
  // first, so the collector may use what it captured until then.
  class CollectorHandle {
   public:
    CollectorHandle() = default;
    CollectorHandle(Registry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
    CollectorHandle(CollectorHandle&& other) noexcept { *this = std::move(other); }
    CollectorHandle& operator=(CollectorHandle&& other) noexcept;
    ~CollectorHandle() { reset(); }
    void reset();

   private:
    Registry* registry_ = nullptr;
    std::uint64_t id_ = 0;
  };
  [[nodiscard]] CollectorHandle add_collector(Collector collector);

  // Everything, in the Prometheus text format 0.0.4, metrics sorted by name.
  std::string render() const;

 private:
  mutable std::mutex families_mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  mutable std::mutex collectors_mu_;  // held through a render's collector calls
  std::map<std::uint64_t, Collector> collectors_;
  std::uint64_t next_id_ = 1;
};

// The process's registry.
Registry& registry();

// Shorthands on the process's registry.
inline Family& counter(std::string_view name, std::string_view help, std::vector<std::string> labels = {}) {
  return registry().family(name, help, Kind::counter, std::move(labels));
}
inline Family& gauge(std::string_view name, std::string_view help, std::vector<std::string> labels = {}) {
  return registry().family(name, help, Kind::gauge, std::move(labels));
}

// A label value as the format writes it: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);
// A number as the format writes it (integers without a fraction, +Inf, NaN).
std::string format_sample_value(double value);

}  // namespace dirmail::metrics
