#pragma once

// The non-pod objects drift needs, indexed by namespace/name: Namespaces (webhook selection,
// auto-restart opt-in), ReplicaSets/Jobs (owner chains), Deployments/StatefulSets/
// DaemonSets/CronJobs (update strategy, opt-in annotation) and PodDisruptionBudgets.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "controller/drift/pod_record.h"
#include "inject/label_selector.h"

namespace sidecar::drift {

// A top-level workload: Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet (one
// without a Deployment), or Pod for a bare pod.
struct WorkloadRef {
  std::string kind;
  std::string namespaceName;
  std::string name;
  auto operator<=>(const WorkloadRef&) const = default;
};

struct PdbInfo {
  std::string name;
  int64_t allowedDisruptions = 0;  // status.disruptionsAllowed
  inject::LabelSelector selector;
  bool selectsAll = false;  // policy/v1: an empty selector selects every pod in the namespace
};

inline constexpr std::string_view kAutoRestartAnnotation = "sidecar.injector.dev/auto-restart";

class Inventory {
 public:
  // Routes by `kind`. Kinds drift does not use are ignored (returns false); malformed
  // objects of a used kind are errors naming the field.
  Expected<bool> add(const nlohmann::json& object);
  void remove(const std::string& kind, const std::string& namespaceName, const std::string& name);

  const nlohmann::json* namespaceObject(const std::string& name) const;
  // Follows ownerReferences: Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob,
  // StatefulSet, DaemonSet; a ReplicaSet missing from the inventory whose name carries the
  // pod's pod-template-hash is taken to belong to the Deployment that name implies.
  WorkloadRef resolveOwner(const PodRecord& pod) const;
  // "RollingUpdate" (the default when the object is unknown) or "OnDelete".
  std::string updateStrategy(const WorkloadRef& workload) const;
  // The namespace or the workload carries sidecar.injector.dev/auto-restart: "true".
  bool autoRestartEnabled(const WorkloadRef& workload) const;
  // The sidecar.istio.io/status annotation the pod's direct controller put on it: its pod
  // template's (Pod -> ReplicaSet, StatefulSet, DaemonSet, Job) or, for a Job, its own
  // metadata's, where kube-inject of a CronJob writes it. Present only when that owner is
  // known and carries one: the sidecar then came from the workload's own manifest
  // (kube-inject), not from the webhook. A bare pod has no template to tell by.
  std::optional<std::string> templateStatus(const PodRecord& pod) const;
  // The same for a workload object itself (its template, or its own metadata).
  static std::optional<std::string> templateStatusOf(const nlohmann::json& workload);
  // PDBs of a namespace, sorted by name.
  const std::vector<PdbInfo>& pdbs(const std::string& namespaceName) const;

  size_t size() const;

 private:
  const nlohmann::json* workload(const std::string& kind, const std::string& namespaceName,
                                 const std::string& name) const;

  using Key = std::pair<std::string, std::string>;  // namespace, name
  std::map<std::string, nlohmann::json> namespaces_;
  std::map<std::string, std::map<Key, nlohmann::json>> workloads_;  // kind -> objects
  std::map<std::string, std::vector<PdbInfo>> pdbs_;
};

}  // namespace sidecar::drift
