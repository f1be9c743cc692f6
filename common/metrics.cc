#include "common/metrics.h"

#include <exception>

#include <prometheus/text_serializer.h>

namespace sidecar {

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}

Expected<MetricsRegistry::GaugeFamily> MetricsRegistry::addGauge(const std::string& name,
                                                                 const std::string& help) {
  try {
    return GaugeFamily(prometheus::BuildGauge().Name(name).Help(help).Register(*registry_));
  } catch (const std::exception& e) {
    return fail(ErrorCode::InvalidArgument, "metric \"" + name + "\": " + e.what());
  }
}

Expected<MetricsRegistry::CounterFamily> MetricsRegistry::addCounter(const std::string& name,
                                                                     const std::string& help) {
  try {
    return CounterFamily(prometheus::BuildCounter().Name(name).Help(help).Register(*registry_));
  } catch (const std::exception& e) {
    return fail(ErrorCode::InvalidArgument, "metric \"" + name + "\": " + e.what());
  }
}

Expected<MetricsRegistry::HistogramFamily> MetricsRegistry::addHistogram(const std::string& name,
                                                                         const std::string& help) {
  try {
    return HistogramFamily(prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_));
  } catch (const std::exception& e) {
    return fail(ErrorCode::InvalidArgument, "metric \"" + name + "\": " + e.what());
  }
}

std::string MetricsRegistry::serialize() const {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace sidecar
