#pragma once

// The in-cluster drift reconciler: keeps a DriftTracker fed (relist, or per-object events
// from reflectors), and when leader writes the SidecarDriftReports (rate-limited,
// create-or-update through /status, only what changed), emits deduplicated Warning Events
// on drifted workloads, and performs opt-in automatic restarts (the rollout-restart patch,
// or one pod delete for OnDelete workloads).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.h"
#include "controller/drift/auto_restart.h"
#include "controller/drift/drift_tracker.h"
#include "controller/drift/report_sync.h"
#include "controller/event_recorder.h"
#include "controller/rest_client.h"

namespace sidecar::drift {

struct ReconcilerOptions {
  std::chrono::seconds minWriteInterval{30};  // report writes at most this often
  bool autoRestart = true;                    // still only for opted-in workloads
  AutoRestartPolicy restartPolicy;
  std::string component = "sidecar-injector";
  std::string injectorNamespace;  // kube-inject's -i in ManualReinject commands
};

struct SyncResult {
  bool wrote = false;  // false when not leader or rate-limited
  size_t reportWrites = 0;
  size_t events = 0;
  std::vector<RestartAction> restarts;
  std::vector<std::string> errors;  // failed API calls, each naming the object
  // What the writes were computed from (set when wrote), so callers derive gauges without
  // summarizing the cluster a second time.
  std::shared_ptr<const DriftSummary> summary;
};

class DriftReconciler {
 public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  DriftReconciler(controller::RestClient& client, ReconcilerOptions options, std::function<bool()> isLeader,
                  SteadyClock steady = [] { return std::chrono::steady_clock::now(); },
                  WallClock wall = [] { return std::chrono::system_clock::now(); });

  void setConfig(inject::InjectionConfigPtr config, std::string configHash = {});
  // Reflector event handlers.
  Expected<void> onUpsert(const nlohmann::json& object);
  void onDelete(const std::string& kind, const std::string& namespaceName, const std::string& name);
  // Replaces the tracker's state with a fresh list of the cluster: for one-shot use. A
  // long-running process feeds events instead (DriftService).
  Expected<void> relist();

  // Does the leader's writes when due (or now, with force).
  SyncResult sync(bool force = false);

  const DriftTracker& tracker() const { return *tracker_; }

 private:
  void writeReports(const DriftSummary& summary, SyncResult& result);
  void emitEvents(const DriftSummary& summary, SyncResult& result);
  void restart(const DriftSummary& summary, SyncResult& result);

  controller::RestClient& client_;
  ReconcilerOptions options_;
  std::function<bool()> isLeader_;
  SteadyClock steady_;
  WallClock wall_;
  std::unique_ptr<DriftTracker> tracker_;
  controller::EventRecorder events_;
  EventDeduper dedup_;
  AutoRestartPlanner planner_;
  std::optional<std::chrono::steady_clock::time_point> lastWrite_;
};

}  // namespace sidecar::drift
