#pragma once

// One place that owns a cache and a reflector per kind the operator watches, so the
// webhook, the drift reconciler and /readyz share the same state and the same sync point.

#include <memory>
#include <string>
#include <vector>

#include "controller/cache_kinds.h"
#include "controller/reflector.h"

namespace sidecar::controller {

struct ClusterCachesOptions {
  std::string injectorNamespace = "istio-system";  // ConfigMaps are watched only here
  std::string workloadNamespace;                   // empty: all namespaces
  bool watchPods = true;
  bool watchWorkloads = true;  // ReplicaSets, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs
  int pageSize = 500;
  int watchTimeoutSeconds = 300;
};

class ClusterCaches {
 public:
  ClusterCaches(RestClient& client, ClusterCachesOptions options, Clock& clock = systemClock(),
                Random& random = systemRandom());
  ~ClusterCaches();
  ClusterCaches(const ClusterCaches&) = delete;
  ClusterCaches& operator=(const ClusterCaches&) = delete;

  void start();
  void stop();
  // True when every reflector has completed its initial LIST.
  bool waitForSync(Millis timeout) const;
  // Per-resource reflector statistics, e.g. for metrics.
  std::vector<std::pair<std::string, ReflectorStats>> stats() const;

  ConfigMapCache configMaps{toConfigMapInfo};
  NamespaceCache namespaces{toNamespaceInfo};
  MutatingWebhookConfigurationCache webhookConfigurations{toMutatingWebhookConfigurationInfo};
  PodCache pods{toPodInfo};
  WorkloadCache replicaSets{toWorkloadInfo};
  WorkloadCache deployments{toWorkloadInfo};
  WorkloadCache statefulSets{toWorkloadInfo};
  WorkloadCache daemonSets{toWorkloadInfo};
  WorkloadCache jobs{toWorkloadInfo};
  WorkloadCache cronJobs{toWorkloadInfo};

 private:
  std::vector<std::unique_ptr<Reflector>> reflectors_;
};

}  // namespace sidecar::controller
