#include "controller/drift/impact_preview.h"
#include "controller/drift/text_table.h"

#include <algorithm>
#include <array>
#include <map>

namespace sidecar::drift {

std::vector<ImpactEntry> previewImpact(const DriftSummary& current, const DriftSummary& proposed) {
  std::map<WorkloadRef, const WorkloadDrift*> now;
  for (const auto& w : current.workloads) {
    now[w.ref] = &w;
  }
  std::vector<ImpactEntry> out;
  for (const auto& w : proposed.workloads) {
    ImpactEntry e;
    e.proposed = w;
    if (auto it = now.find(w.ref); it != now.end()) {
      e.driftedNow = it->second->driftedPods;
      e.reasonsNow = it->second->reasons;
    }
    for (DriftReason r : w.reasons.list()) {
      if (!e.reasonsNow.has(r)) {
        e.newReasons.add(r);
      }
    }
    if (w.driftedPods > e.driftedNow || !e.newReasons.empty()) {
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ImpactEntry& a, const ImpactEntry& b) { return impactOrder(a.proposed, b.proposed); });
  return out;
}

std::string renderImpactTable(const std::vector<ImpactEntry>& entries) {
  std::vector<TableRow> rows;
  rows.push_back({"NAMESPACE", "WORKLOAD", "DRIFTED NOW->PROPOSED/TOTAL", "NEW REASONS", "COMMAND"});
  for (const ImpactEntry& e : entries) {
    std::string reasons;
    for (DriftReason r : e.newReasons.list()) {
      reasons += (reasons.empty() ? "" : ",") + std::string(reasonName(r));
    }
    const WorkloadDrift& w = e.proposed;
    rows.push_back({w.ref.namespaceName, w.ref.kind + "/" + w.ref.name,
                    std::to_string(e.driftedNow) + "->" + std::to_string(w.driftedPods) + "/" +
                        std::to_string(w.totalPods),
                    reasons.empty() ? "-" : reasons, w.command.empty() ? "(none)" : w.command});
  }
  return formatTable(rows);
}

}  // namespace sidecar::drift
