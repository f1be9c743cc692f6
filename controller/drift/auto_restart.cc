#include "controller/drift/auto_restart.h"

#include <algorithm>

namespace sidecar::drift {

AutoRestartPlanner::AutoRestartPlanner(AutoRestartPolicy policy, Clock clock)
    : policy_(policy), clock_(std::move(clock)) {}

void AutoRestartPlanner::finished(const WorkloadRef& workload) {
  auto it = inFlight_.find(workload.namespaceName);
  if (it != inFlight_.end() && it->second.action.workload == workload) {
    inFlight_.erase(it);
  }
}

std::vector<RestartAction> AutoRestartPlanner::plan(const DriftSummary& summary) {
  const auto now = clock_();
  while (!recent_.empty() && now - recent_.front() >= policy_.window) {
    recent_.pop_front();
  }

  // A running restart ends when its drift is gone (for one-by-one: when the deleted pod is
  // no longer among the drifted ones) or when it timed out.
  std::map<WorkloadRef, const WorkloadDrift*> drifted;
  for (const auto& w : summary.workloads) {
    drifted[w.ref] = &w;
  }
  std::erase_if(inFlight_, [&](const auto& item) {
    const Running& r = item.second;
    if (now - r.started >= policy_.restartTimeout) {
      return true;
    }
    auto it = drifted.find(r.action.workload);
    if (it == drifted.end() || !it->second->needsRestart()) {
      return true;
    }
    if (r.action.strategy == RestartStrategy::DeletePodsOneByOne) {
      const auto& pods = it->second->pods;
      return std::find(pods.begin(), pods.end(), r.action.pod) == pods.end();
    }
    return false;
  });

  std::vector<RestartAction> actions;
  for (const WorkloadDrift& w : summary.workloads) {
    if (static_cast<int>(recent_.size()) >= policy_.maxRestartsPerWindow) {
      break;
    }
    if (!w.autoRestart || w.injectionWouldFail() || inFlight_.count(w.ref.namespaceName)) {
      continue;
    }
    RestartAction action{w.ref, w.strategy, ""};
    if (w.strategy == RestartStrategy::DeletePodsOneByOne) {
      if (w.pods.empty() || (w.pdb && w.pdb->allowedDisruptions <= 0)) {
        continue;
      }
      action.pod = w.pods.front();
    } else if (w.strategy != RestartStrategy::RolloutRestart) {
      continue;
    }
    inFlight_[w.ref.namespaceName] = Running{action, now};
    recent_.push_back(now);
    actions.push_back(std::move(action));
  }
  return actions;
}

}  // namespace sidecar::drift
