#pragma once

// Publishes DriftMetrics into Prometheus gauges: sidecar_drift_pods{namespace,reason} and
// sidecar_drift_workloads_needing_restart. Series of namespaces that no longer have pods
// are removed, so a deleted namespace does not stay on a dashboard forever.

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "controller/drift/report.h"

namespace sidecar::drift {

class DriftGauges {
 public:
  DriftGauges(prometheus::Family<prometheus::Gauge>& pods, prometheus::Gauge& workloadsNeedingRestart)
      : pods_(pods), restart_(workloadsNeedingRestart) {}

  // Thread-safe. Empty metrics remove every pods series (a replica that stopped leading).
  void publish(const DriftMetrics& metrics);

 private:
  std::mutex mutex_;
  prometheus::Family<prometheus::Gauge>& pods_;
  prometheus::Gauge& restart_;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> series_;
};

}  // namespace sidecar::drift
