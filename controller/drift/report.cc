#include "controller/drift/report.h"
#include "controller/drift/text_table.h"

#include <algorithm>
#include <array>
#include <ctime>

namespace sidecar::drift {

namespace {

using nlohmann::json;

json reasonsObject(const ReasonCounts& counts) {
  json out = json::object();
  for (DriftReason r : kAllReasons) {
    if (counts[static_cast<size_t>(r)] > 0) {
      out[std::string(reasonName(r))] = counts[static_cast<size_t>(r)];
    }
  }
  return out;
}

std::string topReason(const ReasonCounts& counts) {
  std::string best;
  int64_t bestCount = 0;
  for (DriftReason r : kAllReasons) {
    if (counts[static_cast<size_t>(r)] > bestCount) {
      bestCount = counts[static_cast<size_t>(r)];
      best = std::string(reasonName(r));
    }
  }
  return best;
}

std::string joinReasons(ReasonSet reasons) {
  std::string out;
  for (DriftReason r : reasons.list()) {
    out += (out.empty() ? "" : ",") + std::string(reasonName(r));
  }
  return out;
}

json report(const std::string& name, const std::string& ns, const DriftSummary& summary, int64_t drifted,
            int64_t total, const ReasonCounts& counts, const std::vector<WorkloadDrift>& workloads, size_t limit,
            const std::string& lastUpdated) {
  json list = json::array();
  for (size_t i = 0; i < workloads.size() && i < limit; ++i) {
    list.push_back(workloadJson(workloads[i]));
  }
  json status = {
      {"namespace", ns},
      {"configHash", summary.configHash},
      {"driftedPods", drifted},
      {"totalPods", total},
      {"driftedWorkloads", static_cast<int64_t>(workloads.size())},
      {"topReason", topReason(counts)},
      {"reasons", reasonsObject(counts)},
      {"workloads", std::move(list)},
      {"lastUpdated", lastUpdated},
  };
  return {
      {"apiVersion", kReportApiVersion},
      {"kind", kReportKind},
      {"metadata", {{"name", name}, {"labels", {{"app.kubernetes.io/managed-by", "sidecar-injector"}}}}},
      {"status", std::move(status)},
  };
}

}  // namespace

std::string formatRfc3339(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

json workloadJson(const WorkloadDrift& w) {
  json reasons = json::array();
  for (DriftReason r : w.reasons.list()) {
    reasons.push_back(std::string(reasonName(r)));
  }
  json out = {
      {"kind", w.ref.kind},
      {"name", w.ref.name},
      {"namespace", w.ref.namespaceName},
      {"driftedPods", w.driftedPods},
      {"totalPods", w.totalPods},
      {"reasons", std::move(reasons)},
      {"restartStrategy", std::string(strategyName(w.strategy))},
      {"command", w.command},
      {"autoRestart", w.autoRestart},
  };
  if (w.strategy == RestartStrategy::DeletePodsOneByOne) {
    out["pods"] = w.pods;
  }
  if (w.pdb) {
    out["pdb"] = {{"name", w.pdb->name}, {"allowedDisruptions", w.pdb->allowedDisruptions}};
  }
  return out;
}

std::vector<json> buildReports(const DriftSummary& summary, const std::string& lastUpdated) {
  std::vector<json> out;
  for (const NamespaceDrift& ns : summary.namespaces) {
    if (ns.driftedPods == 0) {
      continue;
    }
    out.push_back(report(ns.name, ns.name, summary, ns.driftedPods, ns.totalPods, ns.reasonCounts, ns.workloads,
                         ns.workloads.size(), lastUpdated));
  }
  json cluster = report(std::string(kClusterReportName), "", summary, summary.driftedPods, summary.totalPods,
                        summary.reasonCounts, summary.workloads, kClusterReportWorkloadLimit, lastUpdated);
  out.push_back(std::move(cluster));
  return out;
}

DriftMetrics driftMetrics(const DriftSummary& summary) {
  DriftMetrics m;
  for (const NamespaceDrift& ns : summary.namespaces) {
    for (DriftReason r : kAllReasons) {
      m.podsByNamespaceReason[{ns.name, std::string(reasonName(r))}] =
          static_cast<double>(ns.reasonCounts[static_cast<size_t>(r)]);
    }
  }
  m.workloadsNeedingRestart = static_cast<double>(
      std::count_if(summary.workloads.begin(), summary.workloads.end(), [](const WorkloadDrift& w) {
        return w.needsRestart();
      }));
  return m;
}

std::string renderTable(const std::vector<WorkloadDrift>& workloads) {
  std::vector<TableRow> rows;
  rows.push_back({"NAMESPACE", "WORKLOAD", "DRIFTED/TOTAL", "REASONS", "COMMAND"});
  for (const WorkloadDrift& w : workloads) {
    std::string command = w.command;
    if (w.strategy == RestartStrategy::None) {
      command = w.ref.kind == "Job" || w.ref.kind == "CronJob" ? "(none: the next run picks up the config)"
                                                               : "(none: the drifted pods have completed)";
    } else if (w.injectionWouldFail()) {
      command = "(fix the injection error first) " + command;
    }
    rows.push_back({w.ref.namespaceName, w.ref.kind + "/" + w.ref.name,
                    std::to_string(w.driftedPods) + "/" + std::to_string(w.totalPods), joinReasons(w.reasons),
                    command});
  }
  return formatTable(rows);
}

}  // namespace sidecar::drift
