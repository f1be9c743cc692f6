#pragma once

// The process's Prometheus registry behind a small interface that components receive by
// injection: each registers its own families (webhook counters, config reload gauges, drift
// gauges) into the one registry /metrics serializes, instead of reaching into another
// component's metrics object. prometheus-cpp reports bad names and type clashes by
// throwing; here they are errors.

#include <functional>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/expected.h"

namespace sidecar {

class MetricsRegistry {
 public:
  using GaugeFamily = std::reference_wrapper<prometheus::Family<prometheus::Gauge>>;
  using CounterFamily = std::reference_wrapper<prometheus::Family<prometheus::Counter>>;
  using HistogramFamily = std::reference_wrapper<prometheus::Family<prometheus::Histogram>>;

  MetricsRegistry();

  // Registering a name twice with the same type returns the same family; an invalid name or
  // one taken by another type is an InvalidArgument error.
  Expected<GaugeFamily> addGauge(const std::string& name, const std::string& help);
  Expected<CounterFamily> addCounter(const std::string& name, const std::string& help);
  Expected<HistogramFamily> addHistogram(const std::string& name, const std::string& help);

  // Prometheus text exposition format (version 0.0.4).
  std::string serialize() const;

  // For code that builds families with prometheus-cpp directly.
  prometheus::Registry& prometheus() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

using MetricsRegistryPtr = std::shared_ptr<MetricsRegistry>;

}  // namespace sidecar
