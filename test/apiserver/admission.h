#pragma once

// Mutating admission for pod CREATE, as a real API server does it: every matching webhook of
// every MutatingWebhookConfiguration (configurations by name, webhooks in order) receives an
// admission.k8s.io AdmissionReview over verified HTTPS and its JSONPatch is applied before the
// next webhook sees the pod. Denials and call failures (per failurePolicy) reject the create.
// Blocking: callers run it off any I/O thread the webhook might need (it may call back).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/expected.h"
#include "test/apiserver/object_store.h"

namespace sidecar::testapi {

// One webhook call, for tests to assert on.
struct AdmissionRecord {
  std::string configuration;  // MutatingWebhookConfiguration name
  std::string webhook;        // webhooks[].name
  std::string namespaceName;
  std::string podName;   // the stored pod's name (generated after admission, from generateName)
  bool called = false;   // false when the call failed before an answer
  bool allowed = false;  // the webhook's answer (or the failure policy's outcome)
  bool patched = false;  // a non-empty patch was applied
  std::string error;     // call failure or denial message
  std::chrono::milliseconds latency{0};
};

struct AdmissionOutcome {
  uint64_t id = 0;  // tags this admission's records in the log
  bool allowed = true;
  nlohmann::json object;  // the pod after all patches (when allowed)
  ApiResponse rejection;  // the Status to answer with (when not allowed)
};

// Whether webhook `webhook` (an entry of a configuration's webhooks) applies to a pod CREATE
// in `namespaceObject`; errors name the bad selector field.
Expected<bool> webhookMatchesPodCreate(const nlohmann::json& webhook,
                                       const nlohmann::json& namespaceObject,
                                       const nlohmann::json& pod);

class MutatingAdmission {
 public:
  // serviceEndpoints: "namespace/name" -> "host:port", standing in for Service routing.
  MutatingAdmission(ObjectStore& store, std::map<std::string, std::string> serviceEndpoints);

  // Runs the webhooks for creating `pod` in namespace `ns`.
  AdmissionOutcome admitPodCreate(const std::string& ns, nlohmann::json pod, bool dryRun);

  // kube-apiserver's create handler for pods, the path both HTTP POSTs and controllers take:
  // the namespace set, managedFields for the request's field manager, the ServiceAccount
  // plugin (service_account_admission.h), the webhooks, and only then the store's create,
  // which makes up the name from generateName. Webhooks see what production traffic carries.
  ApiResponse createPod(const ApiRequest& request, const std::string& ns);

  std::vector<AdmissionRecord> log() const;
  void clearLog();

 private:
  struct CallResult {
    bool ok = false;          // an answer arrived and parsed
    std::string error;        // why not
    nlohmann::json response;  // AdmissionReview.response
  };
  CallResult call(const nlohmann::json& webhook, const nlohmann::json& review);
  void record(uint64_t id, AdmissionRecord r);
  void nameRecords(uint64_t id, const std::string& podName);

  ObjectStore& store_;
  std::map<std::string, std::string> serviceEndpoints_;
  mutable std::mutex mutex_;
  std::vector<std::pair<uint64_t, AdmissionRecord>> log_;  // by admission id
  std::atomic<uint64_t> nextId_{1};
};

// "sidecar-injector/sidecar-injector=127.0.0.1:9443" -> key and value for serviceEndpoints.
Expected<std::pair<std::string, std::string>> parseServiceEndpoint(const std::string& flag);

}  // namespace sidecar::testapi
