#pragma once

// Which workload a pod belongs to, as Istio's webhook derives .DeploymentMeta and .TypeMeta
// for the template: a generated pod (generateName set) takes its controller owner, and a
// ReplicaSet owner whose name ends in the pod's pod-template-hash is folded into its
// Deployment. The webhook and the drift reconciler must agree on it, so it lives here once.

#include <string>

#include <nlohmann/json.hpp>

namespace sidecar::inject {

struct WorkloadIdentity {
  std::string apiVersion = "v1";
  std::string kind = "Pod";
  std::string name;  // the workload's name; the pod's own when it has no controller
};

WorkloadIdentity workloadOf(const nlohmann::json& podMetadata);

}  // namespace sidecar::inject
