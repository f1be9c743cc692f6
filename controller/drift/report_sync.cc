#include "controller/drift/report_sync.h"

#include <set>

#include "controller/drift/report.h"

namespace sidecar::drift {

namespace {

using nlohmann::json;

json comparableStatus(const json& report) {
  json status = report.is_object() && report.contains("status") ? report["status"] : json::object();
  if (status.is_object()) {
    status.erase("lastUpdated");
  }
  return status;
}

std::string reasonList(const WorkloadDrift& w) {
  std::string out;
  for (DriftReason r : w.reasons.list()) {
    out += (out.empty() ? "" : ",") + std::string(reasonName(r));
  }
  return out;
}

}  // namespace

std::vector<ReportWrite> planReportWrites(const std::map<std::string, json>& existing, const std::vector<json>& desired) {
  std::vector<ReportWrite> writes;
  std::set<std::string> wanted;
  for (const json& report : desired) {
    std::string name = report["metadata"]["name"].get<std::string>();
    wanted.insert(name);
    auto it = existing.find(name);
    if (it == existing.end()) {
      writes.push_back({ReportWrite::Op::Create, name, report});
    } else if (comparableStatus(it->second) != comparableStatus(report)) {
      writes.push_back({ReportWrite::Op::UpdateStatus, name, report});
    }
  }
  for (const auto& [name, object] : existing) {
    if (!wanted.count(name) && name != kClusterReportName) {
      writes.push_back({ReportWrite::Op::Delete, name, json()});
    }
  }
  return writes;
}

std::string restartPatchBody(const std::string& restartedAtRfc3339) {
  json patch = {{"spec",
                 {{"template",
                   {{"metadata", {{"annotations", {{"kubectl.kubernetes.io/restartedAt", restartedAtRfc3339}}}}}}}}}};
  return patch.dump();
}

bool EventDeduper::shouldEmit(const WorkloadDrift& workload, const std::string& configHash) {
  std::string signature = configHash + "|" + reasonList(workload) + "|" + std::to_string(workload.driftedPods);
  auto& last = lastSignature_[workload.ref];
  if (last == signature) {
    return false;
  }
  last = std::move(signature);
  return true;
}

void EventDeduper::retain(const std::vector<WorkloadDrift>& drifted) {
  std::set<WorkloadRef> live;
  for (const auto& w : drifted) {
    live.insert(w.ref);
  }
  std::erase_if(lastSignature_, [&](const auto& item) { return !live.count(item.first); });
}

std::string eventMessage(const WorkloadDrift& w) {
  std::string msg = std::to_string(w.driftedPods) + "/" + std::to_string(w.totalPods) + " pods drifted from the " +
                    "current sidecar injection (" + reasonList(w) + ")";
  if (w.injectionWouldFail()) {
    msg += "; re-created pods would be rejected: fix the injection error first";
  } else if (w.strategy == RestartStrategy::ManualReinject) {
    msg += "; the sidecar is in the workload's manifest (kube-inject), a restart keeps it; re-inject (never "
           "automatic): " + w.command;
  } else if (!w.command.empty()) {
    msg += "; restart: " + w.command;
  }
  return msg;
}

}  // namespace sidecar::drift
