#include "controller/drift/impact_preview.h"

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
  std::vector<std::array<std::string, 5>> rows;
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
  std::array<size_t, 4> width{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < width.size(); ++i) {
      out += row[i];
      out.append(width[i] - row[i].size() + 3, ' ');
    }
    out += row[4];
    out += '\n';
  }
  return out;
}

}  // namespace sidecar::drift
