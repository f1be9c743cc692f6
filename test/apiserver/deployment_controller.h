#pragma once

// A minimal Deployment controller, so `kubectl apply` of a Deployment yields pods and
// `kubectl rollout restart` replaces them: Deployment -> ReplicaSet <name>-<template hash>
// -> pods created through the same mutating admission as an HTTP pod POST.
//
// Rollouts are a fast Recreate-after-create: the new ReplicaSet's pods are created first;
// once all exist the old ReplicaSets' pods are deleted and they are scaled to 0. If admission
// rejects a new pod, the old pods stay (as RollingUpdate would keep them), the ReplicaSet
// gets a ReplicaFailure condition and the controller retries every second. Pods are
// "Running" on node test-node as soon as they are created; there is no kubelet.
// Deleting a Deployment deletes the ReplicaSets it owned and their pods.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "test/apiserver/admission.h"
#include "test/apiserver/object_store.h"

namespace sidecar::testapi {

// Short hex of a stable hash of spec.template (keys are sorted, so equal templates hash
// equally whatever order the client sent).
std::string podTemplateHash(const nlohmann::json& podTemplate);

class DeploymentController {
 public:
  DeploymentController(ObjectStore& store, MutatingAdmission& admission);
  ~DeploymentController();
  DeploymentController(const DeploymentController&) = delete;
  DeploymentController& operator=(const DeploymentController&) = delete;

  // Watches Deployments, ReplicaSets, Pods, Namespaces and webhook configurations and
  // reconciles on a thread of its own after every change.
  void start();
  void stop();

  // One full pass over every Deployment; returns false when some pod could not be created.
  bool reconcileAll();
  // Passes completed so far (tests wait on this rather than sleeping).
  uint64_t passes() const;

 private:
  bool reconcileDeployment(const nlohmann::json& deployment,
                           const std::vector<nlohmann::json>& replicaSets,
                           const std::vector<nlohmann::json>& pods);
  void collectGarbage(const std::vector<nlohmann::json>& deployments);
  // Creates one pod for `rs` through admission; returns the rejection message or "".
  std::string createPod(const nlohmann::json& rs);
  // A core/v1 Event about `object`, as `kubectl describe` lists them.
  void recordEvent(const nlohmann::json& object, const std::string& type, const std::string& reason,
                   const std::string& message);
  void run();

  ObjectStore& store_;
  MutatingAdmission& admission_;
  // uids this controller has seen, so garbage collection only touches what it manages and
  // never pods that tests stored with made-up owners.
  std::set<std::string> knownDeployments_;
  std::set<std::string> managedReplicaSets_;
  // ReplicaSet uid -> the last FailedCreate message, so retries do not repeat the Event.
  std::map<std::string, std::string> lastFailure_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_ = true;
  bool stopping_ = false;
  uint64_t passes_ = 0;
  std::vector<uint64_t> watchIds_;
  std::thread thread_;
};

}  // namespace sidecar::testapi
