#include "controller/drift/expectation.h"

#include "inject/injector.h"
#include "inject/workload_identity.h"
#include "kube/json_access.h"

namespace sidecar::drift {

namespace {

using nlohmann::json;
using kube::stringMember;

std::vector<std::string> namesOf(const json& list) {
  std::vector<std::string> out;
  if (list.is_array()) {
    for (const auto& item : list) {
      out.push_back(stringMember(item, "name"));
    }
  }
  return out;
}

}  // namespace

Expectation computeExpectation(const inject::InjectionConfig& config, const PodRecord& pod,
                               const json* namespaceObject, const json* webhookConfig,
                               const std::optional<std::string>& templateStatus) {
  Expectation e;
  e.version = config.version;
  if (webhookConfig != nullptr) {
    json podObject = {{"metadata", *pod.metadata}};
    json nsObject = namespaceObject != nullptr
                        ? *namespaceObject
                        : json{{"metadata", {{"name", pod.namespaceName}}}};
    auto selection = inject::explainWebhookSelection(nsObject, *webhookConfig, podObject);
    e.webhookCalled = selection.called;
    e.webhookExplanation = std::move(selection.explanation);
  } else {
    e.webhookExplanation = "no MutatingWebhookConfiguration given: assuming the webhook is called";
  }
  e.decision = inject::decidePolicy(config, *pod.metadata, *pod.spec, pod.namespaceName);
  // kube-inject consults no policy, only hostNetwork (it never injects those).
  e.manual = templateStatus.has_value() && !e.wouldInject() && !pod.hostNetwork;
  if (e.manual) {
    json status = json::parse(*templateStatus, nullptr, false);
    e.templateVersion = status.is_object() ? stringMember(status, "version") : std::string();
  }
  if (!e.wouldInject() && !e.manual) {
    return e;
  }

  inject::PodInput input;
  input.metadata = pod.metadata;
  input.spec = pod.spec;
  const inject::WorkloadIdentity workload = inject::workloadOf(*pod.metadata);
  input.apiVersion = workload.apiVersion;
  input.kind = workload.kind;
  json deployMeta = *pod.metadata;
  deployMeta["name"] = workload.name;
  input.deploymentMeta = std::make_shared<const json>(std::move(deployMeta));
  input.frontend = e.manual ? inject::Frontend::KubeInject : inject::Frontend::Webhook;
  // The template engine reports errors as values, but a config is user input: nothing it
  // does may take the reconciler down.
  try {
    auto result = inject::injectPod(config, input);
    if (!result) {
      e.renderFailed = true;
      e.renderError = result.error().message;
      return e;
    }
    e.containers = namesOf(result->spec.containers);
    e.initContainers = namesOf(result->spec.initContainers);
    e.volumes = namesOf(result->spec.volumes);
    for (const auto& c : result->spec.containers) {
      if (stringMember(c, "name") == "istio-proxy") {
        e.proxyImage = stringMember(c, "image");
      }
    }
  } catch (const std::exception& ex) {
    e.renderFailed = true;
    e.renderError = std::string("rendering the injection template: ") + ex.what();
  }
  return e;
}

}  // namespace sidecar::drift
