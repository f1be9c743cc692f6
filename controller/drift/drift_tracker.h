#pragma once

// Incremental drift state of every known pod. A pod event recomputes that pod; a namespace
// change recomputes the pods of that namespace; an owner (ReplicaSet, StatefulSet, DaemonSet,
// Job) whose pod template gains, loses or changes a kube-inject status annotation recomputes
// its pods; a config or webhook-config change recomputes everything. Expectations (webhook + policy + render) are cached by pod-template identity,
// so 100k pods of 1000 workloads cost ~1000 renders, not 100k.
//
// Not thread-safe: one owner (the reconciler's loop or the CLI) drives it.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/expected.h"
#include "controller/drift/drift_reason.h"
#include "controller/drift/expectation.h"
#include "controller/drift/inventory.h"
#include "controller/drift/pod_record.h"
#include "inject/config.h"

namespace sidecar::drift {

struct PodDrift {
  PodRecord pod;
  std::shared_ptr<const Expectation> expected;  // null while no config is set
  ReasonSet reasons;
  bool drifted() const { return !reasons.empty(); }
  // The sidecar is the workload template's own (kube-inject) and the webhook leaves it.
  bool manual() const { return expected && expected->manual; }
};

// The comparison itself, exposed for tests.
ReasonSet evaluateDrift(const ActualSidecar& actual, const Expectation& expected);

class DriftTracker {
 public:
  struct Stats {
    size_t renders = 0;      // expectations computed (cache misses)
    size_t evaluations = 0;  // pods compared
  };

  // configHash names the config generation in reports; defaults to the template version.
  void setConfig(inject::InjectionConfigPtr config, std::string configHash = {});
  void setWebhookConfig(std::optional<nlohmann::json> mutatingWebhookConfiguration);

  Expected<void> upsertPod(const nlohmann::json& pod);
  void removePod(const std::string& namespaceName, const std::string& name);

  // Any other object (Namespace, owners, PDBs); a Namespace change recomputes its pods.
  // Returns false for kinds drift does not track.
  Expected<bool> upsertObject(const nlohmann::json& object);
  void removeObject(const std::string& kind, const std::string& namespaceName, const std::string& name);

  const PodDrift* find(const std::string& namespaceName, const std::string& name) const;
  // Keyed "namespace/name", so iteration is grouped by namespace.
  const std::map<std::string, PodDrift>& pods() const { return pods_; }
  const Inventory& inventory() const { return inventory_; }
  const inject::InjectionConfigPtr& config() const { return config_; }
  const std::string& configHash() const { return configHash_; }
  const Stats& stats() const { return stats_; }

 private:
  void evaluate(PodDrift& entry);
  void recomputeAll();
  void recomputeNamespace(const std::string& namespaceName);
  // Pods whose controller is this owner: its template's injection status changed.
  void recomputeOwned(const std::string& kind, const std::string& namespaceName, const std::string& name);
  Expected<bool> upsertOwner(const std::string& kind, const nlohmann::json& object);
  std::optional<std::string> ownerStatus(const std::string& kind, const std::string& namespaceName,
                                         const std::string& name) const;

  inject::InjectionConfigPtr config_;
  std::string configHash_;
  std::optional<nlohmann::json> webhookConfig_;
  Inventory inventory_;
  std::map<std::string, PodDrift> pods_;
  std::unordered_map<std::string, std::shared_ptr<const Expectation>> cache_;
  Stats stats_;
};

}  // namespace sidecar::drift
