#include "dirmail/base/metrics.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace dirmail::metrics {
namespace {

std::string_view kind_name(Kind kind) { return kind == Kind::counter ? "counter" : "gauge"; }

std::string render_labels(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  if (names.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  out += '}';
  return out;
}

// HELP text escapes backslash and line feed only.
std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);
}

Family::Family(std::string name, std::string help, Kind kind, std::vector<std::string> label_names, double scale)
    : name_(std::move(name)), help_(std::move(help)), kind_(kind), label_names_(std::move(label_names)),
      scale_(scale) {}

Value& Family::with(std::initializer_list<std::string_view> label_values) {
  if (label_values.size() != label_names_.size())
    throw std::logic_error(fmt::format("metric {}: {} label values for {} labels", name_, label_values.size(),
                                       label_names_.size()));
  std::vector<std::string> key(label_values.begin(), label_values.end());
  std::lock_guard lock(mu_);
  auto& slot = values_[std::move(key)];
  if (!slot) slot = std::make_unique<Value>();
  return *slot;
}

std::vector<std::pair<std::vector<std::string>, std::int64_t>> Family::series() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::vector<std::string>, std::int64_t>> out;
  out.reserve(values_.size());
  for (const auto& [labels, value] : values_) out.emplace_back(labels, value->get());
  return out;
}

void Samples::add(std::string_view name, std::string_view help, Kind kind, const Labels& labels, double value) {
  auto [it, fresh] = metrics_.try_emplace(std::string(name));
  if (fresh) {
    it->second.help = std::string(help);
    it->second.kind = kind;
  }
  std::vector<std::string> names, values;
  for (const auto& [n, v] : labels) {
    names.push_back(n);
    values.push_back(v);
  }
  it->second.samples.push_back({render_labels(names, values), value});
}

Family& Registry::family(std::string_view name, std::string_view help, Kind kind,
                         std::vector<std::string> label_names, double scale) {
  std::lock_guard lock(families_mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    if (it->second->kind() != kind || it->second->label_names() != label_names)
      throw std::logic_error(fmt::format("metric {} registered twice with different kinds or labels", name));
    return *it->second;
  }
  auto made = std::make_unique<Family>(std::string(name), std::string(help), kind, std::move(label_names), scale);
  return *families_.emplace(std::string(name), std::move(made)).first->second;
}

Registry::CollectorHandle& Registry::CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

void Registry::CollectorHandle::reset() {
  if (!registry_) return;
  std::lock_guard lock(registry_->collectors_mu_);
  registry_->collectors_.erase(id_);
  registry_ = nullptr;
}

Registry::CollectorHandle Registry::add_collector(Collector collector) {
  std::lock_guard lock(collectors_mu_);
  std::uint64_t id = next_id_++;
  collectors_.emplace(id, std::move(collector));
  return CollectorHandle(this, id);
}

std::string Registry::render() const {
  Samples all;
  {
    std::lock_guard lock(families_mu_);
    for (const auto& [name, family] : families_) {
      auto& metric = all.metrics()[name];
      metric.help = family->help();
      metric.kind = family->kind();
      for (const auto& [values, v] : family->series())
        metric.samples.push_back({render_labels(family->label_names(), values), static_cast<double>(v) * family->scale()});
    }
  }
  {
    std::lock_guard lock(collectors_mu_);
    for (const auto& [id, collector] : collectors_) collector(all);
  }
  std::string out;
  for (const auto& [name, metric] : all.metrics()) {
    if (metric.samples.empty()) continue;  // a family nothing has used yet
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(metric.help), name, kind_name(metric.kind));
    for (const auto& sample : metric.samples)
      out += fmt::format("{}{} {}\n", name, sample.labels, format_sample_value(sample.value));
  }
  return out;
}

Registry& registry() {
  static Registry* process_registry = new Registry;  // never destroyed: counted until the very end
  return *process_registry;
}

}  // namespace dirmail::metrics
