#include "controller/drift/drift_gauges.h"

namespace sidecar::drift {

void DriftGauges::publish(const DriftMetrics& metrics) {
  std::lock_guard lock(mutex_);
  for (auto it = series_.begin(); it != series_.end();) {
    if (metrics.podsByNamespaceReason.contains(it->first)) {
      ++it;
      continue;
    }
    pods_.Remove(it->second);
    it = series_.erase(it);
  }
  for (const auto& [key, value] : metrics.podsByNamespaceReason) {
    auto& gauge = series_[key];
    if (gauge == nullptr) {
      gauge = &pods_.Add({{"namespace", key.first}, {"reason", key.second}});
    }
    gauge->Set(value);
  }
  restart_.Set(metrics.workloadsNeedingRestart);
}

}  // namespace sidecar::drift
