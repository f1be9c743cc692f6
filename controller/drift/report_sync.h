#pragma once

// The pure half of the in-cluster reconciler: which SidecarDriftReport writes to make given
// what exists, which drifted workloads deserve an Event (deduplicated), and the patch that
// restarts a workload the way `kubectl rollout restart` does.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/drift/workload_summary.h"

namespace sidecar::drift {

struct ReportWrite {
  enum class Op { Create, UpdateStatus, Delete };
  Op op = Op::Create;
  std::string name;
  nlohmann::json object;  // Create/UpdateStatus: the desired report (status included)
};

// existing: report name -> the stored object (as listed). Writes only what changed, ignoring
// status.lastUpdated, so an unchanged cluster causes no API traffic; reports of namespaces
// whose drift is gone are deleted (`cluster` always stays).
std::vector<ReportWrite> planReportWrites(const std::map<std::string, nlohmann::json>& existing,
                                          const std::vector<nlohmann::json>& desired);

// A strategic/merge patch body setting spec.template.metadata.annotations
// kubectl.kubernetes.io/restartedAt, what `kubectl rollout restart` sends.
std::string restartPatchBody(const std::string& restartedAtRfc3339);

// Emits an Event for a workload only when its drift changes (reasons, drifted count or
// config), so a steady drift does not repeat every resync.
class EventDeduper {
 public:
  bool shouldEmit(const WorkloadDrift& workload, const std::string& configHash);
  // Workloads no longer drifted are forgotten, so a relapse is reported again.
  void retain(const std::vector<WorkloadDrift>& drifted);

 private:
  std::map<WorkloadRef, std::string> lastSignature_;
};

// "3/5 pods drifted (StaleTemplate,StaleProxyImage); restart: kubectl ...".
std::string eventMessage(const WorkloadDrift& workload);

}  // namespace sidecar::drift
