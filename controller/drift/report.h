#pragma once

// Outputs built from a DriftSummary, all pure: the SidecarDriftReport objects
// (sidecar.injector.dev/v1alpha1, crds/sidecardriftreports.yaml), the Prometheus gauge
// values, and the CLI's table.

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/drift/workload_summary.h"

namespace sidecar::drift {

inline constexpr std::string_view kReportApiVersion = "sidecar.injector.dev/v1alpha1";
inline constexpr std::string_view kReportKind = "SidecarDriftReport";
inline constexpr std::string_view kClusterReportName = "cluster";
// The cluster report lists the workloads with the most impact only: an object carrying
// every workload of a large cluster would exceed etcd's object size limit.
inline constexpr size_t kClusterReportWorkloadLimit = 100;

// "2026-11-23T11:27:06Z".
std::string formatRfc3339(std::chrono::system_clock::time_point t);

nlohmann::json workloadJson(const WorkloadDrift& w);
// One report per namespace with drift (name = namespace), then the `cluster` summary.
std::vector<nlohmann::json> buildReports(const DriftSummary& summary, const std::string& lastUpdated);

struct DriftMetrics {
  // sidecar_drift_pods{namespace,reason}: every namespace with pods, every reason (zeros
  // included, so a fixed namespace's series drop to 0 rather than going stale).
  std::map<std::pair<std::string, std::string>, double> podsByNamespaceReason;
  double workloadsNeedingRestart = 0;  // sidecar_drift_workloads_needing_restart
};
DriftMetrics driftMetrics(const DriftSummary& summary);

// NAMESPACE WORKLOAD DRIFTED/TOTAL REASONS COMMAND, one row per drifted workload.
std::string renderTable(const std::vector<WorkloadDrift>& workloads);

}  // namespace sidecar::drift
