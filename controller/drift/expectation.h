#pragma once

// What injection would do for a pod today: the webhook selection and policy decision the
// webhook itself makes, and (when it injects) what the current template renders — version,
// proxy image and injected names. Pure: the same core as the webhook, no network.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/drift/pod_record.h"
#include "inject/config.h"
#include "inject/policy.h"

namespace sidecar::drift {

struct Expectation {
  bool webhookCalled = true;
  std::string webhookExplanation;
  inject::Decision decision;
  bool renderFailed = false;
  std::string renderError;  // why re-creating the pod would be rejected
  std::string version;      // the config's template version
  std::optional<std::string> proxyImage;  // istio-proxy's image in the render, if any
  std::vector<std::string> containers;
  std::vector<std::string> initContainers;
  std::vector<std::string> volumes;
  // The sidecar comes from the workload's own template (kube-inject) and the webhook will
  // leave re-created pods alone, so only re-running kube-inject changes it; the fields above
  // then describe what kube-inject renders today. When the webhook does inject, it replaces
  // a manually injected sidecar like any other (Istio's patch removes the pieces the status
  // annotation names), so manual stays false and a restart is the fix.
  bool manual = false;
  std::string templateVersion;  // manual: the version the template's status annotation records

  bool wouldInject() const { return webhookCalled && decision.inject; }
};

// namespaceObject: the pod's Namespace (null: a namespace without labels).
// webhookConfig: the injector's MutatingWebhookConfiguration (null: assume the API server
// calls the webhook, as when only the injector config is known).
// templateStatus: the status annotation of the pod's owner template when it carries one
// (Inventory::templateStatus): the workload was injected manually.
Expectation computeExpectation(const inject::InjectionConfig& config, const PodRecord& pod,
                               const nlohmann::json* namespaceObject, const nlohmann::json* webhookConfig,
                               const std::optional<std::string>& templateStatus = std::nullopt);

}  // namespace sidecar::drift
