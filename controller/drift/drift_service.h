#pragma once

// Drift in a running operator: the shared informers of every kind drift reads feed one
// DriftReconciler incrementally, and the leader syncs (reports, Events, opt-in restarts)
// on a timer and shortly after a change.
//
// Threads: each reflector only appends to an event queue (a watch never waits on a render);
// one worker thread drains the queue into the tracker, applies config updates, decides when
// to sync and calls the callbacks. After start, nothing is listed again except through a
// reflector's own 410 relist, so a pod event costs one pod evaluation.
//
// Every replica keeps its watches (warm standby): on a hand-over the new leader syncs from
// a complete, current state at once instead of listing the whole cluster first, which is
// when a large cluster can least afford a burst of LISTs. The price is one watch per kind
// and the tracker's memory on each replica.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "controller/drift/drift_tracker.h"
#include "controller/drift/reconciler.h"
#include "controller/drift/report.h"
#include "controller/informer.h"
#include "controller/reflector.h"
#include "controller/rest_client.h"

namespace sidecar::drift {

struct DriftServiceOptions {
  // Periodic sync by the leader, whether or not anything changed (Events and restarts
  // progress on it).
  std::chrono::milliseconds interval{60000};
  // A change is synced once the cluster has been quiet this long (a config change at once)...
  std::chrono::milliseconds debounce{1000};
  // ...or at the latest this long after the first unsynced change, so churn cannot starve it.
  std::chrono::milliseconds maxDelay{10000};
  // How often leadership and the config source are looked at when nothing else happens.
  std::chrono::milliseconds pollPeriod{1000};
  // Only MutatingWebhookConfigurations whose name contains this decide webhook selection.
  std::string webhookName = "sidecar-injector";
  // false: no reflectors; events arrive only through sinkFor() (benchmarks) and the state
  // counts as synced from the start.
  bool watch = true;
  // The process's shared informers (serve's); null: a factory of the service's own with
  // the two settings below. start() subscribes, so with a shared factory call it before
  // the factory starts.
  controller::InformerFactory* informers = nullptr;
  int pageSize = 500;
  int watchTimeoutSeconds = 300;
  ReconcilerOptions reconciler;
};

struct ConfigSnapshot {
  inject::InjectionConfigPtr config;
  std::string hash;
};

// All run on the worker thread, under the lock inspect() and stats() take: they must not
// call those.
struct DriftServiceCallbacks {
  // Polled each pollPeriod; a new pointer or hash is applied like setConfig. Optional: an
  // owner that is told about reloads calls setConfig instead (serve does), and a change
  // then reaches the tracker without waiting for a poll.
  std::function<ConfigSnapshot()> configSource;
  // After every sync the leader runs.
  std::function<void(const SyncResult&)> onSync;
  // Gauge values after every leader sync; empty values when leadership is lost, so a
  // former leader stops exporting stale series.
  std::function<void(const DriftMetrics&)> onMetrics;
  // Objects the tracker cannot read (named), optional APIs the cluster does not serve.
  std::function<void(const std::string&)> onWarning;
};

struct DriftServiceStats {
  uint64_t eventsApplied = 0;   // watch events taken from the queue
  uint64_t relistsApplied = 0;  // complete lists (the initial one per kind, then 410s)
  uint64_t objectErrors = 0;    // objects rejected as malformed
  uint64_t syncs = 0;           // leader syncs
  uint64_t syncErrors = 0;      // failed API calls during syncs
  uint64_t configsApplied = 0;
  size_t queued = 0;                          // events waiting for the worker
  bool synced = false;                        // every kind listed once and applied
  std::vector<std::string> skippedResources;  // optional APIs answering 404
};

class DriftService {
 public:
  // `clock` paces the worker (debounce, maxDelay, interval, polls) and stamps what the
  // reconciler writes; the reflectors keep the real clock for their network backoff.
  DriftService(controller::RestClient& client, DriftServiceOptions options,
               std::function<bool()> isLeader, DriftServiceCallbacks callbacks = {},
               Clock& clock = systemClock());
  ~DriftService();
  DriftService(const DriftService&) = delete;
  DriftService& operator=(const DriftService&) = delete;

  // Probes the optional APIs (one small LIST each), then starts the reflectors and worker.
  // start() and stop() belong to the owner's thread; everything else is thread-safe.
  void start();
  // Returns promptly even mid-watch (a leader sync in flight finishes first); idempotent.
  // A stopped service does not start again.
  void stop();

  // Thread-safe; applied in order with the watch events. The same config and hash again is
  // a no-op, so an owner may push from a reload callback and at start without care.
  void setConfig(inject::InjectionConfigPtr config, std::string configHash = {});

  // True once every kind has been listed and applied to the tracker.
  bool waitForSync(std::chrono::milliseconds timeout) const;
  // True once every event queued before the call has been applied.
  bool waitIdle(std::chrono::milliseconds timeout) const;
  DriftServiceStats stats() const;

  // Reads the tracker under the worker's lock (tests, debug endpoints).
  template <class F>
  auto inspect(F&& f) const {
    std::lock_guard lock(stateMutex_);
    return f(reconciler_.tracker());
  }

  // Where the reflector of `resource` ("pods", "namespaces", ...) delivers; feeding it
  // directly drives the same path without a network (benchmarks). Null for unknown ones.
  controller::ReflectorSink* sinkFor(const std::string& resource);

 private:
  class QueueSink;
  struct Event;

  void run();
  void apply(Event& event);
  void applyReplace(const controller::ResourceDescriptor& rd, std::vector<nlohmann::json>& items);
  void applyUpsert(const controller::ResourceDescriptor& rd, nlohmann::json& object);
  void applyDelete(const controller::ResourceDescriptor& rd, const nlohmann::json& object);
  void applyWebhookConfigs();
  void applyConfig(inject::InjectionConfigPtr config, std::string hash);
  void pollConfig(SteadyTime now);
  // Returns when the worker should next wake up for a sync or a poll.
  SteadyTime maybeSync(SteadyTime now);
  void markChanged(SteadyTime now);
  void warn(const std::string& message);
  void enqueue(Event event);

  controller::RestClient& client_;
  Clock& clock_;
  DriftServiceOptions options_;
  std::function<bool()> isLeader_;
  DriftServiceCallbacks callbacks_;
  std::vector<const controller::ResourceDescriptor*> kinds_;
  std::vector<std::unique_ptr<QueueSink>> sinks_;
  std::unique_ptr<controller::InformerFactory> ownInformers_;
  controller::InformerFactory* informers_ = nullptr;
  std::thread worker_;

  // The queue between reflector threads and the worker.
  mutable std::mutex queueMutex_;
  mutable std::condition_variable queueCv_;
  mutable std::condition_variable idleCv_;
  std::deque<Event> queue_;
  uint64_t enqueued_ = 0;
  uint64_t processed_ = 0;
  bool stopping_ = false;
  bool running_ = false;

  // The worker's state; held while applying a batch or syncing.
  mutable std::mutex stateMutex_;
  mutable std::condition_variable syncedCv_;
  DriftReconciler reconciler_;
  std::set<std::string> listed_;                          // resources whose first list was applied
  std::map<std::string, std::set<std::string>> known_;    // resource -> "ns/name" (not pods)
  std::map<std::string, nlohmann::json> webhookConfigs_;  // matching MWCs by name
  std::optional<nlohmann::json> appliedWebhookConfig_;
  inject::InjectionConfigPtr polledConfig_;
  std::string polledHash_;
  SteadyTime nextPoll_{};
  bool dirty_ = false;
  bool syncNow_ = false;  // a config change: sync without the debounce
  bool wasLeader_ = false;
  SteadyTime firstChange_{};
  SteadyTime lastChange_{};
  std::optional<SteadyTime> lastSync_;
  DriftServiceStats stats_;
};

}  // namespace sidecar::drift
