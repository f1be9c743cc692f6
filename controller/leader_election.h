#pragma once

// Leader election on a coordination.k8s.io/v1 Lease, following client-go's rules: a
// candidate takes the lease only after observing the same holder record unchanged for a
// full lease duration; the leader renews every retry period and steps down when it has
// not renewed within the renew deadline. The clock is injected; step() is the loop body,
// public so tests can drive a hand-over deterministically.

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "controller/rest_client.h"

namespace sidecar::controller {

struct LeaderElectionOptions {
  std::string ns = "istio-system";
  std::string name = "istio-sidecar-injector";
  std::string identity;
  Millis leaseDuration{15000};
  Millis renewDeadline{10000};
  Millis retryPeriod{2000};
  // Clear the holder on stop so a successor need not wait out the lease.
  bool releaseOnStop = true;
  // Failures to read the Lease are logged here at warn.
  ScopedLogger log{"leader-election"};
};

// client-go's rules: leaseDuration > renewDeadline > retryPeriod > 0, and an identity.
Expected<void> validateLeaderElectionOptions(const LeaderElectionOptions& options);

struct LeaderCallbacks {
  std::function<void()> onStartedLeading;
  std::function<void()> onStoppedLeading;
  std::function<void(const std::string& identity)> onNewLeader;
};

class LeaderElector {
 public:
  LeaderElector(RestClient& client, LeaderElectionOptions options, LeaderCallbacks callbacks,
                Clock& clock = systemClock());
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void start();
  void stop();
  // One acquire-or-renew round, updating leadership and firing callbacks.
  void step();
  bool isLeader() const;
  std::string observedLeader() const;

 private:
  // Returns true when this candidate holds the lease afterwards.
  bool tryAcquireOrRenew();
  void release();

  RestClient& client_;
  LeaderElectionOptions options_;
  LeaderCallbacks callbacks_;
  Clock& clock_;
  StopSignal stop_;
  std::thread thread_;

  mutable std::mutex mutex_;
  bool leading_ = false;
  std::string observedHolder_;
  nlohmann::json observedSpec_;
  std::chrono::steady_clock::time_point observedTime_{};
  std::chrono::steady_clock::time_point lastRenew_{};
  std::string lastReportedLeader_;  // step() thread only
};

}  // namespace sidecar::controller
