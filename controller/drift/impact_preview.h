#pragma once

// Impact preview of a config edit: the drift under the current config against the drift
// under a proposed one, reduced to the workloads the edit WOULD drift (more drifted pods or
// new reasons than today).

#include <string>
#include <vector>

#include "controller/drift/workload_summary.h"

namespace sidecar::drift {

struct ImpactEntry {
  WorkloadDrift proposed;        // the workload's drift (and restart plan) under the proposal
  int64_t driftedNow = 0;        // drifted pods under the current config
  ReasonSet reasonsNow;
  ReasonSet newReasons;          // reasons the proposal adds
};

// Ordered by impact under the proposal.
std::vector<ImpactEntry> previewImpact(const DriftSummary& current, const DriftSummary& proposed);

// NAMESPACE WORKLOAD DRIFTED NOW -> PROPOSED/TOTAL NEW REASONS COMMAND.
std::string renderImpactTable(const std::vector<ImpactEntry>& entries);

}  // namespace sidecar::drift
