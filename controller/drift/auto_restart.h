#pragma once

// Opt-in automatic restarts, planned purely: given the drift summary and an injected clock,
// which restarts to start now. The caller performs them (rollout restart patch or pod
// delete) and reports completion. Limits: only opted-in workloads
// (sidecar.injector.dev/auto-restart: "true" on the namespace or the workload), at most one
// workload per namespace in flight, a global rate limit, never a workload whose pods would
// fail injection, never a bare pod (deleting it loses it), and a one-by-one delete only
// while the guarding PDB allows a disruption (a plain delete bypasses PDBs).

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "controller/drift/workload_summary.h"

namespace sidecar::drift {

struct AutoRestartPolicy {
  int maxRestartsPerWindow = 1;
  std::chrono::seconds window{60};
  // A restart that never reports completion stops blocking its namespace after this long.
  std::chrono::seconds restartTimeout{600};
};

struct RestartAction {
  WorkloadRef workload;
  RestartStrategy strategy = RestartStrategy::RolloutRestart;
  std::string pod;  // DeletePodsOneByOne: the single pod to delete now
};

class AutoRestartPlanner {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  AutoRestartPlanner(AutoRestartPolicy policy, Clock clock);

  std::vector<RestartAction> plan(const DriftSummary& summary);
  // The caller saw the restart finish (rollout complete, deleted pod replaced) or give up.
  void finished(const WorkloadRef& workload);
  size_t inFlight() const { return inFlight_.size(); }

 private:
  struct Running {
    RestartAction action;
    std::chrono::steady_clock::time_point started;
  };

  AutoRestartPolicy policy_;
  Clock clock_;
  std::map<std::string, Running> inFlight_;  // namespace -> its one running restart
  std::deque<std::chrono::steady_clock::time_point> recent_;
};

}  // namespace sidecar::drift
