#pragma once

// Drift rolled up from pods to their top-level workloads and namespaces, with the restart
// that would fix each workload (kind- and update-strategy-aware) and the PDB limiting it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "controller/drift/drift_reason.h"
#include "controller/drift/drift_tracker.h"
#include "controller/drift/inventory.h"

namespace sidecar::drift {

// ManualReinject: the sidecar is part of the workload's own manifest (kube-inject) and the
// webhook does not replace it, so no restart changes it: the manifest must be injected again
// and applied. Never done automatically: the operator does not have the original manifest.
enum class RestartStrategy { RolloutRestart, DeletePodsOneByOne, Recreate, ManualReinject, None };
std::string_view strategyName(RestartStrategy s);

struct PdbRef {
  std::string name;
  int64_t allowedDisruptions = 0;
};

struct WorkloadDrift {
  WorkloadRef ref;
  int64_t driftedPods = 0;  // including completed ones, which are reported
  int64_t totalPods = 0;
  ReasonSet reasons;
  RestartStrategy strategy = RestartStrategy::None;
  std::string command;            // kubectl command(s); empty for None
  std::vector<std::string> pods;  // DeletePodsOneByOne: the pods to delete, in order
  std::optional<PdbRef> pdb;
  bool autoRestart = false;  // opted in (namespace or workload annotation)

  bool needsRestart() const { return strategy != RestartStrategy::None && strategy != RestartStrategy::ManualReinject; }
  bool injectionWouldFail() const { return reasons.has(DriftReason::InjectionWouldFail); }
};

struct NamespaceDrift {
  std::string name;
  int64_t driftedPods = 0;
  int64_t totalPods = 0;
  ReasonCounts reasonCounts{};
  std::vector<WorkloadDrift> workloads;  // drifted ones, by impact
};

struct DriftSummary {
  std::string configHash;
  int64_t driftedPods = 0;
  int64_t totalPods = 0;
  ReasonCounts reasonCounts{};
  std::vector<NamespaceDrift> namespaces;  // every namespace with pods, by name
  std::vector<WorkloadDrift> workloads;    // every drifted workload, by impact
};

// Impact order: drifted pods descending, then namespace, name, kind.
bool impactOrder(const WorkloadDrift& a, const WorkloadDrift& b);

struct SummaryOptions {
  // Where kube-inject reads the injector ConfigMaps (its -i) in ManualReinject commands;
  // empty leaves kube-inject's default (istio-system).
  std::string injectorNamespace;
};

DriftSummary summarize(const DriftTracker& tracker, const SummaryOptions& options = {});

}  // namespace sidecar::drift
